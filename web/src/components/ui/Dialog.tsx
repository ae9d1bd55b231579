import { useEffect, useId, useRef, type ReactNode, type SyntheticEvent } from "react";

interface DialogProps {
  title: string;
  open: boolean;
  onClose: () => void;
  children: ReactNode;
}

/** A handler for this dialog's own close or cancel event: React passes a nested dialog's up the tree. */
function own(handler: () => void) {
  return (event: SyntheticEvent<HTMLDialogElement>) => {
    if (event.target === event.currentTarget) handler();
  };
}

/** A modal dialog on the native <dialog>: focus moves in and is trapped, Escape closes it. */
export function Dialog({ title, open, onClose, children }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId} onClose={own(onClose)} onCancel={own(onClose)}>
      {open && (
        <>
          <h2 id={titleId} className="dialog-title">{title}</h2>
          {children}
        </>
      )}
    </dialog>
  );
}
