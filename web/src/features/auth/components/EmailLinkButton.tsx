import { ErrorAlert } from "@/components/ui/Alert";
import { useEmailLink } from "../api/auth";

interface EmailLinkProps {
  /** The e-mail typed in the form; the button asks for it when it is empty or not valid. */
  email: string;
  /** The form's e-mail field, for its validity and focus. */
  emailField: () => HTMLInputElement | null;
}

/** "E-mail me a sign-in link": no password needed; the link signs in (and, the first time, signs up). */
export function EmailLinkButton({ email, emailField }: EmailLinkProps) {
  const link = useEmailLink();
  const ask = () => {
    const field = emailField();
    if (field && !field.checkValidity()) {
      field.reportValidity();
      field.focus();
      return;
    }
    link.mutate(email.trim());
  };
  return (
    <div className="email-link">
      <p className="or" aria-hidden="true">or, without a password</p>
      <ErrorAlert error={link.error} />
      {link.isSuccess && (
        <p role="status" className="notice">
          We sent a sign-in link to {link.variables}. It works once, within 15 minutes. No e-mail? Check the
          address and your spam folder.
        </p>
      )}
      <button type="button" className="button" disabled={link.isPending} onClick={ask}>
        E-mail me a sign-in link
      </button>
    </div>
  );
}
