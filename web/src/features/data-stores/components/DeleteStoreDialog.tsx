import { ErrorAlert } from "@/components/ui/Alert";
import { Dialog } from "@/components/ui/Dialog";
import type { DataStore } from "../api/data-stores";

interface DeleteStoreDialogProps {
  store: DataStore | null;
  busy: boolean;
  error: unknown;
  onConfirm: () => void;
  onClose: () => void;
}

/** "Delete data store": asks before a store and its records go. */
export function DeleteStoreDialog({ store, busy, error, onConfirm, onClose }: DeleteStoreDialogProps) {
  const count = store?.record_count ?? 0;
  return (
    <Dialog title="Delete data store" open={store !== null} onClose={onClose}>
      <p>
        Delete “{store?.name}” and its {count === 1 ? "1 record" : `${count} records`}? Scenario steps that use it
        will fail. This cannot be undone.
      </p>
      <ErrorAlert error={error} />
      <div className="dialog-actions">
        <button type="button" className="button ghost" onClick={onClose} autoFocus>Cancel</button>
        <button type="button" className="button danger" disabled={busy} onClick={onConfirm}>Delete</button>
      </div>
    </Dialog>
  );
}
