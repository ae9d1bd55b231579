import { useId, useMemo, useState, type FormEvent } from "react";
import { Dialog } from "@/components/ui/Dialog";
import { errorMessage } from "@/lib/errors";
import { useUpdateConnection, type Connection, type ConnectionType } from "../api/connections";
import { buildFields, describeFields, initialValues, placeError, type FormValues } from "../schema-form";
import { FieldLabel, FieldNotes, SchemaFields, describedBy } from "./SchemaFields";

interface EditFormProps {
  connection: Connection;
  type: ConnectionType | null;
  onDone: (saved: Connection) => void;
  onCancel: () => void;
}

/** The name and the non-secret fields as stored; secrets blank ("leave blank to keep"), sent only when given. */
function EditForm({ connection, type, onDone, onCancel }: EditFormProps) {
  const id = useId();
  const update = useUpdateConnection();
  const fields = useMemo(() => (type ? describeFields(type.fields, type.secretFields) : []), [type]);
  const [name, setName] = useState(connection.name);
  const [values, setValues] = useState<FormValues>(() => initialValues(fields, connection.fields));
  const [problems, setProblems] = useState<Record<string, string>>({});
  const placed = placeError(update.error);
  const shown = placed?.at ? { ...problems, [placed.at]: placed.message } : problems;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.reset();
    const built = buildFields(fields, values, "edit");
    const found = { ...built.problems, ...(name.trim() === "" ? { name: "Required." } : {}) };
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    update.mutate({ id: connection.id, name: name.trim(), fields: built.body }, { onSuccess: onDone });
  };
  const count = Object.keys(problems).length;
  return (
    <form className="form connection-form" noValidate onSubmit={submit}>
      <p className="field-hint">
        Type: {type?.label ?? connection.type}. Secret values are never shown again: leave them blank to keep them.
      </p>
      {update.error ? <p role="alert" className="alert">{errorMessage(update.error)}</p>
        : count > 0 && <p role="alert" className="alert">{count === 1 ? "Check the marked field." : `Check the ${count} marked fields.`}</p>}
      <div className="field">
        <FieldLabel htmlFor={`${id}-name`} label="Connection name" required />
        <input id={`${id}-name`} type="text" className="field-input" maxLength={200} value={name} aria-required
          aria-invalid={shown.name ? true : undefined} aria-describedby={describedBy(`${id}-name`, null, shown.name)}
          onChange={(e) => setName(e.target.value)} />
        <FieldNotes id={`${id}-name`} hint={null} problem={shown.name} />
      </div>
      {type && (
        <fieldset className="connection-fields">
          <legend>{type.label}</legend>
          <SchemaFields idPrefix={id} fields={fields} values={values} problems={shown} mode="edit"
            onChange={(key, value) => setValues((current) => ({ ...current, [key]: value }))} />
        </fieldset>
      )}
      <div className="dialog-actions">
        <button type="button" className="button ghost" onClick={onCancel}>Cancel</button>
        <button type="submit" className="button primary" disabled={update.isPending}>Save</button>
      </div>
    </form>
  );
}

interface EditConnectionDialogProps {
  connection: Connection | null;
  type: ConnectionType | null;
  onClose: () => void;
  onSaved: (saved: Connection) => void;
}

/** The dialog "Edit connection" (`PATCH /connections/{id}`). */
export function EditConnectionDialog({ connection, type, onClose, onSaved }: EditConnectionDialogProps) {
  return (
    <Dialog title="Edit connection" open={connection !== null} onClose={onClose}>
      {connection && <EditForm key={connection.id} connection={connection} type={type} onDone={onSaved} onCancel={onClose} />}
    </Dialog>
  );
}
