import { useId, useState, type FormEvent } from "react";
import { ErrorAlert } from "@/components/ui/Alert";
import { useChangePassword } from "../api/account";

/** "Change password": the current password first, then the new one (at least 10 characters). */
export function PasswordForm() {
  const id = useId();
  const change = useChangePassword();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    change.mutate({ current_password: current, new_password: next }, {
      onSuccess: () => { setCurrent(""); setNext(""); },
    });
  };
  return (
    <section className="card section" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Change password</h2>
      <form onSubmit={submit} className="form narrow-form">
        <ErrorAlert error={change.error} />
        {change.isSuccess && (
          <p role="status" className="notice">Your password was changed. Your other sessions were logged out.</p>
        )}
        <label htmlFor={`${id}-current`}>Current password</label>
        <input id={`${id}-current`} type="password" autoComplete="current-password" required value={current}
          onChange={(e) => setCurrent(e.target.value)} />
        <label htmlFor={`${id}-new`}>New password</label>
        <input id={`${id}-new`} type="password" autoComplete="new-password" required value={next}
          aria-describedby={`${id}-hint`} onChange={(e) => setNext(e.target.value)} />
        <p id={`${id}-hint`} className="hint">At least 10 characters. Your other sessions will be logged out.</p>
        <div>
          <button type="submit" className="button primary" disabled={change.isPending}>Change password</button>
        </div>
      </form>
    </section>
  );
}
