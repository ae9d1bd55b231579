import { useState } from "react";
import { Link } from "react-router";
import { ErrorAlert } from "@/components/ui/Alert";
import { useTitle } from "@/components/ui/PageTitle";
import { useMe } from "@/features/auth";
import { useExportData } from "../api/account";
import { DeleteAccountDialog } from "./DeleteAccountDialog";
import { PasswordForm } from "./PasswordForm";
import { TokensSection } from "./TokensSection";

/** `/account`: the e-mail, the password, API tokens, the export of every personal datum, erasure. */
export function AccountPage() {
  useTitle("Account");
  const email = useMe().data?.email ?? "";
  const exportData = useExportData(email);
  const [deleting, setDeleting] = useState(false);
  return (
    <section className="page account-page">
      <h1>Account</h1>
      <section className="card section" aria-labelledby="account-email-title">
        <h2 id="account-email-title">Your account</h2>
        <p>E-mail: <strong className="email">{email}</strong></p>
      </section>
      <PasswordForm />
      <TokensSection />
      <section className="card section" aria-labelledby="account-data-title">
        <h2 id="account-data-title">Your data</h2>
        <p>
          Download every personal datum of your account as one JSON file: scenarios, runs, logs, connections
          (without their secrets), data stores, notifications and sessions. Read how long we keep what in
          the <Link to="/privacy">Privacy policy</Link>.
        </p>
        <ErrorAlert error={exportData.error} />
        <div className="actions">
          <button type="button" className="button" disabled={exportData.isPending} onClick={() => exportData.mutate()}>
            Export my data
          </button>
        </div>
      </section>
      <section className="card section danger-zone" aria-labelledby="account-delete-title">
        <h2 id="account-delete-title">Delete your account</h2>
        <p>Erases the account and all its data. This cannot be undone.</p>
        <div className="actions">
          <button type="button" className="button danger" onClick={() => setDeleting(true)}>Delete my account</button>
        </div>
      </section>
      <DeleteAccountDialog open={deleting} onClose={() => setDeleting(false)} />
    </section>
  );
}
