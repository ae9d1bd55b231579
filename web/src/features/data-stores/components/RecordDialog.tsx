import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from "react";
import { ErrorAlert } from "@/components/ui/Alert";
import { Dialog } from "@/components/ui/Dialog";
import { dataPath, formFields, generatedKey, initialValues, toRecord, type FormField, type FormValues } from "../records";
import { problemAt, type FieldSpec } from "../structure";
import { describedBy, FieldError } from "./FieldError";

interface RecordDialogProps {
  structure: FieldSpec[];
  /** The record to edit; null to add one. */
  record: { key: string; data: Record<string, unknown> } | null;
  open: boolean;
  busy: boolean;
  error: unknown;
  onSubmit: (key: string, data: Record<string, unknown>) => void;
  onClose: () => void;
}

interface InputProps {
  field: FormField;
  id: string;
  value: string;
  describedBy: string | undefined;
  invalid: boolean;
  onChange: (value: string) => void;
}

/** The input for one field's type: text, number, yes/no, date and time, or JSON. */
function FieldInput({ field, id, value, describedBy: described, invalid, onChange }: InputProps) {
  const common = { id, "aria-describedby": described, "aria-invalid": invalid ? true : undefined,
    "aria-required": field.required ? true : undefined };
  switch (field.input) {
    case "number":
      return <input {...common} type="number" step="any" value={value} onChange={(e) => onChange(e.target.value)} />;
    case "boolean":
      return (
        <select {...common} value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">{field.required ? "Choose" : "No value"}</option>
          <option value="true">Yes</option>
          <option value="false">No</option>
        </select>
      );
    case "datetime":
      return <input {...common} type="datetime-local" step={1} value={value} onChange={(e) => onChange(e.target.value)} />;
    case "json":
      return <textarea {...common} rows={3} spellCheck={false} value={value} onChange={(e) => onChange(e.target.value)} />;
    default:
      return <input {...common} type="text" value={value} onChange={(e) => onChange(e.target.value)} />;
  }
}

/** "Add record" or "Edit record {key}": a form made from the store's structure, each field with the input of
 * its type; what does not fit is said at the field (the browser's check first, then the server's). */
export function RecordDialog({ structure, record, open, busy, error, onSubmit, onClose }: RecordDialogProps) {
  const formId = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const fields = useMemo(() => formFields(structure), [structure]);
  const [key, setKey] = useState("");
  const [values, setValues] = useState<FormValues>({});
  const [local, setLocal] = useState<Record<string, string>>({});
  useEffect(() => {
    if (!open) return;
    setKey(record?.key ?? "");
    setValues(initialValues(fields, record?.data));
    setLocal({});
  }, [open, record, fields]);
  const paths = useMemo(() => ["key", "data", ...fields.map((f) => dataPath(f.name))], [fields]);
  const found = problemAt(error, paths);
  const problem = (path: string) => local[path] ?? (found?.path === path ? found.message : undefined);
  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>("[aria-invalid='true']")?.focus();
  }, [error, local]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = toRecord(fields, values);
    if ("problems" in result) {
      setLocal(Object.fromEntries(Object.entries(result.problems).map(([name, message]) => [dataPath(name), message])));
      return;
    }
    setLocal({});
    onSubmit(record?.key ?? (key.trim() === "" ? generatedKey() : key), result.data);
  };
  const title = record ? `Edit record ${record.key}` : "Add record";
  return (
    <Dialog title={title} open={open} onClose={onClose}>
      <form ref={formRef} onSubmit={submit} className="form record-form" noValidate>
        <ErrorAlert error={found ? null : error} />
        {record === null && (
          <div className="record-field">
            <label htmlFor={`${formId}-key`}>Key</label>
            <input id={`${formId}-key`} type="text" maxLength={256} value={key} autoComplete="off" spellCheck={false}
              aria-invalid={problem("key") ? true : undefined}
              aria-describedby={describedBy(`${formId}-key-hint`, problem("key") && `${formId}-key-error`)}
              onChange={(e) => setKey(e.target.value)} />
            <p id={`${formId}-key-hint`} className="hint-text">What the record is found by. Leave empty for a generated key.</p>
            <FieldError id={`${formId}-key-error`} message={problem("key")} />
          </div>
        )}
        <FieldError id={`${formId}-data-error`} message={problem("data")} />
        {fields.map((field, index) => {
          const id = `${formId}-${index}`;
          const path = dataPath(field.name);
          return (
            <div className="record-field" key={field.name}>
              <label htmlFor={id}>{field.label}</label>
              <FieldInput field={field} id={id} value={values[field.name] ?? ""} invalid={problem(path) !== undefined}
                describedBy={describedBy(`${id}-hint`, problem(path) && `${id}-error`)}
                onChange={(value) => setValues((v) => ({ ...v, [field.name]: value }))} />
              <p id={`${id}-hint`} className="hint-text">
                {field.hint}{field.required ? (field.input === "json" ? "; required" : ", required") : ""}
              </p>
              <FieldError id={`${id}-error`} message={problem(path)} />
            </div>
          );
        })}
        <div className="dialog-actions">
          <button type="button" className="button ghost" onClick={onClose}>Cancel</button>
          <button type="submit" className="button primary" disabled={busy}>{record ? "Save" : "Add"}</button>
        </div>
      </form>
    </Dialog>
  );
}
