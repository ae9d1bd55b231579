import { useId, useMemo, useState, type FormEvent } from "react";
import { Loading } from "@/components/ui/Alert";
import { errorMessage } from "@/lib/errors";
import {
  useConnectionTypes, useCreateConnection, type ConnectionType, type CreatedConnection,
} from "../api/connections";
import { buildFields, describeFields, initialValues, placeError, type FormValues } from "../schema-form";
import { FieldLabel, FieldNotes, SchemaFields, describedBy } from "./SchemaFields";

export interface ConnectionFormProps {
  /** Offer only these connection types (a module's accepted ones); all of them when left out. */
  typeKeys?: readonly string[];
  /** Called with the created connection; for an OAuth 2.0 type its `authorize_url` is where the user
   * authorizes it (the caller decides when to go there). */
  onCreated: (created: CreatedConnection, type: ConnectionType) => void;
  onCancel: () => void;
}

/** Groups the types by app for the picker. */
function byApp(types: ConnectionType[]): [string, ConnectionType[]][] {
  const groups = new Map<string, ConnectionType[]>();
  for (const t of types) groups.set(t.appLabel, [...(groups.get(t.appLabel) ?? []), t]);
  return [...groups.entries()];
}

/** A form error said at the top: the API's message, or a reminder to look at the marked fields. */
function FormAlert({ error, problems }: { error: unknown; problems: Record<string, string> }) {
  if (error) return <p role="alert" className="alert">{errorMessage(error)}</p>;
  const count = Object.keys(problems).length;
  if (count === 0) return null;
  return <p role="alert" className="alert">{count === 1 ? "Check the marked field." : `Check the ${count} marked fields.`}</p>;
}

function TypePicker({ id, types, value, problem, onChange }: {
  id: string; types: ConnectionType[]; value: string; problem: string | undefined; onChange: (key: string) => void;
}) {
  return (
    <div className="field">
      <FieldLabel htmlFor={id} label="Connection type" required />
      <select id={id} className="field-input" value={value} aria-required aria-invalid={problem ? true : undefined}
        aria-describedby={describedBy(id, null, problem)} onChange={(e) => onChange(e.target.value)}>
        <option value="">Choose a type</option>
        {byApp(types).map(([app, group]) => (
          <optgroup key={app} label={app}>
            {group.map((t) => <option key={t.key} value={t.key}>{t.label}</option>)}
          </optgroup>
        ))}
      </select>
      <FieldNotes id={id} hint={null} problem={problem} />
    </div>
  );
}

/** "Add connection": pick a type, then fill in the form its JSON Schema makes. Works on a page or in a
 * dialog (`AddConnectionDialog`); reports the connection it created. */
export function ConnectionForm({ typeKeys, onCreated, onCancel }: ConnectionFormProps) {
  const id = useId();
  const catalogue = useConnectionTypes();
  const create = useCreateConnection();
  const types = useMemo(() => (catalogue.data ?? []).filter((t) => !typeKeys || typeKeys.includes(t.key)),
    [catalogue.data, typeKeys]);
  const [typeKey, setTypeKey] = useState(typeKeys?.length === 1 ? typeKeys[0] ?? "" : "");
  const type = types.find((t) => t.key === typeKey) ?? null;
  const fields = useMemo(() => (type ? describeFields(type.fields, type.secretFields) : []), [type]);
  const [name, setName] = useState("");
  const [values, setValues] = useState<FormValues>(() => initialValues(fields));
  const [problems, setProblems] = useState<Record<string, string>>({});
  const placed = placeError(create.error);
  const shown = placed?.at ? { ...problems, [placed.at]: placed.message } : problems;

  const pick = (key: string) => {
    setTypeKey(key);
    const next = types.find((t) => t.key === key);
    setValues(initialValues(next ? describeFields(next.fields, next.secretFields) : []));
    setProblems({});
    create.reset();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.reset();
    const built = buildFields(fields, values, "create");
    const found = { ...built.problems };
    if (!type) found.type = "Choose a connection type.";
    if (name.trim() === "") found.name = "Required.";
    setProblems(found);
    if (!type || Object.keys(found).length > 0) return;
    create.mutate({ type: type.key, name: name.trim(), fields: built.body }, { onSuccess: (c) => onCreated(c, type) });
  };

  if (catalogue.isPending) return <Loading label="Loading connection types…" />;
  if (catalogue.isError) return <p role="alert" className="alert">{errorMessage(catalogue.error)}</p>;
  return (
    <form className="form connection-form" noValidate onSubmit={submit}>
      <p className="field-hint">Fields marked <span aria-hidden="true">*</span><span className="visually-hidden">as required</span> are required.</p>
      <FormAlert error={create.error} problems={problems} />
      <TypePicker id={`${id}-type`} types={types} value={typeKey} problem={shown.type} onChange={pick} />
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
          {type.oauth2 && <p className="field-hint">After “Add and connect”, you go to the service to allow the access; it sends you back here.</p>}
          <SchemaFields idPrefix={id} fields={fields} values={values} problems={shown} mode="create"
            onChange={(key, value) => setValues((current) => ({ ...current, [key]: value }))} />
        </fieldset>
      )}
      <div className="dialog-actions">
        <button type="button" className="button ghost" onClick={onCancel}>Cancel</button>
        <button type="submit" className="button primary" disabled={create.isPending}>
          {type?.oauth2 ? "Add and connect" : "Add"}
        </button>
      </div>
    </form>
  );
}
