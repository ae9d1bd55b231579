import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import { ErrorAlert } from "@/components/ui/Alert";
import { Dialog } from "@/components/ui/Dialog";
import { endLocalSession, useMe } from "@/features/auth";
import { useDeleteAccount } from "../api/account";

/** "Delete my account": says what goes, asks for the password, and ends on the login page. */
export function DeleteAccountDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const id = useId();
  const remove = useDeleteAccount();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [password, setPassword] = useState("");
  const hasPassword = useMe().data?.has_password ?? true;
  const { reset } = remove;
  useEffect(() => {
    if (open) { setPassword(""); reset(); }
  }, [open, reset]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    remove.mutate(password, {
      onSuccess: () => {
        void navigate("/login?deleted=1", { replace: true });
        endLocalSession(queryClient);
      },
    });
  };
  return (
    <Dialog title="Delete my account" open={open} onClose={onClose}>
      <form onSubmit={submit} className="form">
        <p id={`${id}-warning`}>
          This erases your account and everything in it, at once and for good: your scenarios and their run
          history, incomplete executions, connections and their credentials, data stores and their records,
          notifications and API tokens. Webhooks stop answering and you are logged out everywhere.
          Export your data first if you want to keep a copy.
        </p>
        <ErrorAlert error={remove.error} />
        <label htmlFor={`${id}-password`}>Password</label>
        <input id={`${id}-password`} type="password" autoComplete="current-password" required={hasPassword}
          value={password} aria-describedby={hasPassword ? `${id}-warning` : `${id}-warning ${id}-none`} autoFocus
          onChange={(e) => setPassword(e.target.value)} />
        {!hasPassword && <p id={`${id}-none`} className="hint">Your account has no password: leave this empty.</p>}
        <div className="dialog-actions">
          <button type="button" className="button ghost" onClick={onClose}>Cancel</button>
          <button type="submit" className="button danger" disabled={remove.isPending}>Delete</button>
        </div>
      </form>
    </Dialog>
  );
}
