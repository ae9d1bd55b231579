import { useId, useState, type FormEvent } from "react";
import { ErrorAlert, Loading } from "@/components/ui/Alert";
import { Dialog } from "@/components/ui/Dialog";
import { dateTimeText } from "@/lib/format";
import { useCreateToken, useRevokeToken, useTokens, type CreatedToken, type Token } from "../api/account";

/** The token just created: shown once, with a "Copy" button. */
function NewToken({ token, onDone }: { token: CreatedToken; onDone: () => void }) {
  const [copied, setCopied] = useState<"no" | "yes" | "failed">("no");
  const copy = () => {
    navigator.clipboard.writeText(token.token).then(() => setCopied("yes"), () => setCopied("failed"));
  };
  return (
    <div className="new-token" role="group" aria-label={`New token ${token.name}`}>
      <p><strong>Copy your new token “{token.name}” now.</strong> It is shown only once: Scenarist keeps only a
        hash of it.</p>
      <p className="token-line">
        <code className="token-value">{token.token}</code>
        <button type="button" className="button small" onClick={copy}>Copy</button>
        <button type="button" className="button small ghost" onClick={onDone}>Done</button>
      </p>
      <p role="status" className="muted">
        {copied === "yes" ? "Copied to the clipboard." : copied === "failed" ? "Copying failed: select the token and copy it." : ""}
      </p>
    </div>
  );
}

/** "API tokens": create one (shown once), the list, revoke with confirmation. */
export function TokensSection() {
  const id = useId();
  const tokens = useTokens();
  const create = useCreateToken();
  const revoke = useRevokeToken();
  const [name, setName] = useState("");
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [revoking, setRevoking] = useState<Token | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(name.trim(), { onSuccess: (token) => { setCreated(token); setName(""); } });
  };
  const list = tokens.data ?? [];
  return (
    <section className="card section" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>API tokens</h2>
      <p className="muted">A token lets a script call the API as you: send it as <code>Authorization: Bearer {"<token>"}</code>.</p>
      <form onSubmit={submit} className="form inline-form">
        <label htmlFor={`${id}-name`}>Token name</label>
        <div className="inline-fields">
          <input id={`${id}-name`} type="text" required maxLength={100} value={name} placeholder="e.g. Deploy script"
            onChange={(e) => setName(e.target.value)} />
          <button type="submit" className="button primary" disabled={create.isPending}>Create token</button>
        </div>
      </form>
      <ErrorAlert error={create.error} />
      {created && <NewToken token={created} onDone={() => setCreated(null)} />}
      {tokens.isPending && <Loading label="Loading your tokens…" />}
      <ErrorAlert error={tokens.error ?? revoke.error} />
      {tokens.isSuccess && list.length === 0 && <p className="muted">You have no API tokens.</p>}
      {list.length > 0 && (
        <table className="table tokens">
          <caption className="visually-hidden">Your API tokens</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Created</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {list.map((token) => (
              <tr key={token.id}>
                <th scope="row">{token.name}</th>
                <td>{dateTimeText(token.created_at)}</td>
                <td className="row-actions">
                  <button type="button" className="button small ghost danger-text" aria-label={`Revoke ${token.name}`}
                    onClick={() => { revoke.reset(); setRevoking(token); }}>Revoke</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Dialog title="Revoke token" open={revoking !== null} onClose={() => setRevoking(null)}>
        <p>Revoke “{revoking?.name}”? Every script that uses it loses access at once. This cannot be undone.</p>
        <ErrorAlert error={revoke.error} />
        <div className="dialog-actions">
          <button type="button" className="button ghost" onClick={() => setRevoking(null)} autoFocus>Cancel</button>
          <button type="button" className="button danger" disabled={revoke.isPending}
            onClick={() => revoking && revoke.mutate(revoking.id, {
              onSuccess: () => { if (created?.id === revoking.id) setCreated(null); setRevoking(null); },
            })}>Revoke</button>
        </div>
      </Dialog>
    </section>
  );
}
