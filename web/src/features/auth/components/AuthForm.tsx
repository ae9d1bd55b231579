import { useId, useRef, type FormEvent, type ReactNode } from "react";
import { EmailLinkButton } from "./EmailLinkButton";

interface AuthFormProps {
  title: string;
  submitLabel: string;
  busy: boolean;
  email: string;
  password: string;
  onEmail: (value: string) => void;
  onPassword: (value: string) => void;
  onSubmit: () => void;
  passwordHint?: string;
  passwordAutocomplete: "current-password" | "new-password";
  before?: ReactNode;
  extra?: ReactNode;
  after?: ReactNode;
}

/** The e-mail and password form shared by the login and sign-up pages, with "E-mail me a sign-in link"
 * (the same e-mail, no password) beside it. */
export function AuthForm(props: AuthFormProps) {
  const id = useId();
  const emailField = useRef<HTMLInputElement>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onSubmit();
  };
  return (
    <main className="auth" id="main">
      <p className="brand brand-large" aria-hidden="true">Scenarist</p>
      <section className="card auth-card">
        <h1>{props.title}</h1>
        {props.before}
        <form onSubmit={submit} className="form">
          <label htmlFor={`${id}-email`}>E-mail</label>
          <input id={`${id}-email`} ref={emailField} type="email" name="email" autoComplete="username" required
            value={props.email} onChange={(e) => props.onEmail(e.target.value)} />
          <label htmlFor={`${id}-password`}>Password</label>
          <input id={`${id}-password`} type="password" name="password" autoComplete={props.passwordAutocomplete}
            required value={props.password} onChange={(e) => props.onPassword(e.target.value)}
            aria-describedby={props.passwordHint ? `${id}-hint` : undefined} />
          {props.passwordHint && <p id={`${id}-hint`} className="hint">{props.passwordHint}</p>}
          {props.extra}
          <button type="submit" className="button primary" disabled={props.busy}>{props.submitLabel}</button>
        </form>
        <EmailLinkButton email={props.email} emailField={() => emailField.current} />
        {props.after}
      </section>
    </main>
  );
}
