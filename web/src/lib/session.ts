/** Whether this tab had a session: a 401 then means it ended rather than never began; and when this tab last
 * heard from the server, to tell an idle timeout from a session ended elsewhere (a password change, a logout
 * on another device). */
const KEY = "scenarist.had-session";
const ACTIVITY = "scenarist.last-activity";

export function markSessionStarted(): void {
  sessionStorage.setItem(KEY, "1");
  noteActivity();
}

export function forgetSession(): void {
  sessionStorage.removeItem(KEY);
}

/** An answer came from the server on this tab's behalf. */
export function noteActivity(now: number = Date.now()): void {
  sessionStorage.setItem(ACTIVITY, String(now));
}

/** Seconds since this tab's last answer from the server, or null when unknown. */
export function secondsSinceActivity(now: number = Date.now()): number | null {
  const last = Number(sessionStorage.getItem(ACTIVITY));
  return Number.isFinite(last) && last > 0 ? Math.max(0, (now - last) / 1000) : null;
}

/** True once per ended session: the flag is cleared as it is read. */
export function sessionJustEnded(): boolean {
  const had = sessionStorage.getItem(KEY) === "1";
  forgetSession();
  return had;
}

/** Why a session ended, from how long the tab was quiet: the server refreshes its last-seen time only now and
 * then (a tenth of the idle timeout, at most a minute), so a quiet spell that short of the timeout still is one. */
export function endedBy(quietSeconds: number | null, idleSeconds: number): "idle" | "elsewhere" {
  if (quietSeconds === null) return "idle";
  const slack = Math.min(60, idleSeconds / 10);
  return quietSeconds >= idleSeconds - slack ? "idle" : "elsewhere";
}
