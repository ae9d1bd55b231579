import { useEffect, useId, useState, type FormEvent } from "react";
import { ErrorAlert } from "@/components/ui/Alert";
import { Dialog } from "@/components/ui/Dialog";

interface NameDialogProps {
  title: string;
  submitLabel: string;
  open: boolean;
  initial: string;
  busy: boolean;
  error: unknown;
  onSubmit: (name: string) => void;
  onClose: () => void;
}

/** A dialog asking for a scenario's name: to create one, or to rename one. */
export function NameDialog({ title, submitLabel, open, initial, busy, error, onSubmit, onClose }: NameDialogProps) {
  const id = useId();
  const [name, setName] = useState(initial);
  useEffect(() => {
    if (open) setName(initial);
  }, [open, initial]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(name.trim());
  };
  return (
    <Dialog title={title} open={open} onClose={onClose}>
      <form onSubmit={submit} className="form">
        <ErrorAlert error={error} />
        <label htmlFor={`${id}-name`}>Name</label>
        <input id={`${id}-name`} type="text" required maxLength={200} value={name} autoFocus
          onChange={(e) => setName(e.target.value)} />
        <div className="dialog-actions">
          <button type="button" className="button ghost" onClick={onClose}>Cancel</button>
          <button type="submit" className="button primary" disabled={busy}>{submitLabel}</button>
        </div>
      </form>
    </Dialog>
  );
}
