import { Dialog } from "@/components/ui/Dialog";
import { ConnectionForm, type ConnectionFormProps } from "./ConnectionForm";

interface AddConnectionDialogProps extends Omit<ConnectionFormProps, "onCancel"> {
  open: boolean;
  onClose: () => void;
}

/** The dialog "Add connection" around `ConnectionForm` (a fresh form each time it opens). The caller
 * closes it in `onCreated`, and sends the user to `authorize_url` for an OAuth 2.0 type. */
export function AddConnectionDialog({ open, onClose, ...form }: AddConnectionDialogProps) {
  return (
    <Dialog title="Add connection" open={open} onClose={onClose}>
      <ConnectionForm {...form} onCancel={onClose} />
    </Dialog>
  );
}
