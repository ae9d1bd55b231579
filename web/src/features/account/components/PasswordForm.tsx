import { useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { ErrorAlert } from "@/components/ui/Alert";
import { ME_KEY, useMe } from "@/features/auth";
import { useChangePassword } from "../api/account";

/** "Change password": the current password first, then the new one (at least 10 characters). An account made
 * by an e-mailed sign-in link has none yet: "Set a password" asks for the new one alone. */
export function PasswordForm() {
  const id = useId();
  const queryClient = useQueryClient();
  const me = useMe().data;
  const change = useChangePassword();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [wasSet, setWasSet] = useState(false);
  const hasPassword = me?.has_password ?? true;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const first = !hasPassword;
    change.mutate({ current_password: first ? "" : current, new_password: next }, {
      onSuccess: () => {
        setCurrent(""); setNext(""); setWasSet(first);
        void queryClient.invalidateQueries({ queryKey: ME_KEY });
      },
    });
  };
  const title = hasPassword ? "Change password" : "Set a password";
  return (
    <section className="card section" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      <form onSubmit={submit} className="form narrow-form">
        <ErrorAlert error={change.error} />
        {change.isSuccess && (
          <p role="status" className="notice">
            {wasSet ? "Your password was set: you can now also log in with it." : "Your password was changed."}
            {" "}Your other sessions were logged out.
          </p>
        )}
        {hasPassword ? (
          <>
            <label htmlFor={`${id}-current`}>Current password</label>
            <input id={`${id}-current`} type="password" autoComplete="current-password" required value={current}
              onChange={(e) => setCurrent(e.target.value)} />
          </>
        ) : (
          <p id={`${id}-none`} className="hint-below">
            You sign in with e-mailed links. A password is optional: set one to log in with it as well.
          </p>
        )}
        <label htmlFor={`${id}-new`}>New password</label>
        <input id={`${id}-new`} type="password" autoComplete="new-password" required value={next}
          aria-describedby={`${id}-hint`} onChange={(e) => setNext(e.target.value)} />
        <p id={`${id}-hint`} className="hint">At least 10 characters. Your other sessions will be logged out.</p>
        <div>
          <button type="submit" className="button primary" disabled={change.isPending}>{title}</button>
        </div>
      </form>
    </section>
  );
}
