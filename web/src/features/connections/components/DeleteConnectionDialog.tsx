import { ErrorAlert } from "@/components/ui/Alert";
import { Dialog } from "@/components/ui/Dialog";

interface DeleteConnectionDialogProps {
  name: string | null;
  oauth: boolean;
  busy: boolean;
  error: unknown;
  onConfirm: () => void;
  onClose: () => void;
}

/** "Delete connection": asks before the credentials are erased. */
export function DeleteConnectionDialog({ name, oauth, busy, error, onConfirm, onClose }: DeleteConnectionDialogProps) {
  return (
    <Dialog title="Delete connection" open={name !== null} onClose={onClose}>
      <p>
        Delete “{name}”? Its credentials are erased from Scenarist
        {oauth ? ", and its tokens are revoked at the service" : ""}. Scenarios that use it fail until you choose
        another connection. This cannot be undone.
      </p>
      <ErrorAlert error={error} />
      <div className="dialog-actions">
        <button type="button" className="button ghost" onClick={onClose} autoFocus>Cancel</button>
        <button type="button" className="button danger" disabled={busy} onClick={onConfirm}>Delete</button>
      </div>
    </Dialog>
  );
}
