/** Whether this tab had a session: a 401 then means it ended (idle timeout) rather than never began. */
const KEY = "scenarist.had-session";

export function markSessionStarted(): void {
  sessionStorage.setItem(KEY, "1");
}

export function forgetSession(): void {
  sessionStorage.removeItem(KEY);
}

/** True once per ended session: the flag is cleared as it is read. */
export function sessionJustEnded(): boolean {
  const had = sessionStorage.getItem(KEY) === "1";
  forgetSession();
  return had;
}
