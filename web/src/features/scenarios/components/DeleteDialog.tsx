import { ErrorAlert } from "@/components/ui/Alert";
import { Dialog } from "@/components/ui/Dialog";

interface DeleteDialogProps {
  name: string | null;
  busy: boolean;
  error: unknown;
  onConfirm: () => void;
  onClose: () => void;
}

/** "Delete scenario": asks before a scenario and its history go. */
export function DeleteDialog({ name, busy, error, onConfirm, onClose }: DeleteDialogProps) {
  return (
    <Dialog title="Delete scenario" open={name !== null} onClose={onClose}>
      <p>Delete “{name}”? Its webhook stops answering and its run history goes with it. This cannot be undone.</p>
      <ErrorAlert error={error} />
      <div className="dialog-actions">
        <button type="button" className="button ghost" onClick={onClose} autoFocus>Cancel</button>
        <button type="button" className="button danger" disabled={busy} onClick={onConfirm}>Delete</button>
      </div>
    </Dialog>
  );
}
