import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { ErrorAlert } from "@/components/ui/Alert";
import { Dialog } from "@/components/ui/Dialog";
import {
  FIELD_TYPES, newField, problemAt, storeBody, storePaths, TYPE_LABELS, type FieldDraft, type FieldType,
  type StoreBody, type StoreDraft,
} from "../structure";
import { bytesText } from "../usage";
import { describedBy, FieldError } from "./FieldError";

interface StoreFormDialogProps {
  title: string;
  submitLabel: string;
  open: boolean;
  initial: StoreDraft;
  /** What to say about changing the structure (a store with records only takes some changes). */
  note?: string;
  /** What an empty limit means: the server's most when creating, unchanged when editing. */
  limitHint?: string;
  busy: boolean;
  error: unknown;
  onSubmit: (body: StoreBody) => void;
  onClose: () => void;
}

interface RowProps {
  index: number;
  field: FieldDraft;
  formId: string;
  problem: (path: string) => string | undefined;
  onChange: (field: FieldDraft) => void;
  onRemove: (() => void) | null;
}

function FieldRow({ index, field, formId, problem, onChange, onRemove }: RowProps) {
  const n = index + 1;
  const id = (part: string) => `${formId}-f${field.id}-${part}`;
  const at = (part: string) => problem(`structure[${index}].${part}`) ?? (part === "name" ? problem(`structure[${index}]`) : undefined);
  return (
    <div className="field-row" role="group" aria-label={`Field ${n}`}>
      <div className="field-cell field-name">
        <label htmlFor={id("name")}><span className="visually-hidden">Field {n} </span>Name</label>
        <input id={id("name")} type="text" required maxLength={64} value={field.name} autoComplete="off"
          spellCheck={false} aria-invalid={at("name") ? true : undefined}
          aria-describedby={describedBy(at("name") && id("name-error"))}
          onChange={(e) => onChange({ ...field, name: e.target.value })} />
        <FieldError id={id("name-error")} message={at("name")} />
      </div>
      <div className="field-cell">
        <label htmlFor={id("type")}><span className="visually-hidden">Field {n} </span>Type</label>
        <select id={id("type")} value={field.type} aria-invalid={at("type") ? true : undefined}
          aria-describedby={describedBy(at("type") && id("type-error"))}
          onChange={(e) => onChange({ ...field, type: e.target.value as FieldType })}>
          {FIELD_TYPES.map((t) => <option key={t} value={t}>{TYPE_LABELS[t]}</option>)}
        </select>
        <FieldError id={id("type-error")} message={at("type")} />
      </div>
      <div className="field-cell field-required">
        <label className="check">
          <input type="checkbox" checked={field.required} aria-invalid={at("required") ? true : undefined}
            aria-describedby={describedBy(at("required") && id("required-error"))}
            onChange={(e) => onChange({ ...field, required: e.target.checked })} />
          <span><span className="visually-hidden">Field {n} </span>Required</span>
        </label>
        <FieldError id={id("required-error")} message={at("required")} />
      </div>
      <div className="field-cell field-remove">
        {onRemove && (
          <button type="button" className="button small ghost danger-text" onClick={onRemove}>
            Remove<span className="visually-hidden"> field {n}</span>
          </button>
        )}
      </div>
    </div>
  );
}

/** A dialog with a data store's name, its fields (added and removed in the form) and its limits; an API
 * problem is shown at the field it names, and that field gets the focus. */
export function StoreFormDialog(
  { title, submitLabel, open, initial, note, limitHint = "Leave empty for the most this server allows.", busy, error, onSubmit, onClose }:
    StoreFormDialogProps,
) {
  const formId = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [draft, setDraft] = useState<StoreDraft>(initial);
  useEffect(() => {
    if (open) setDraft(initial);
  }, [open, initial]);
  const found = problemAt(error, storePaths(draft.fields.length));
  const problem = (path: string) => (found?.path === path ? found.message : undefined);
  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>("[aria-invalid='true']")?.focus();
  }, [error]);

  const setField = (index: number, field: FieldDraft) =>
    setDraft((d) => ({ ...d, fields: d.fields.map((f, i) => (i === index ? field : f)) }));
  const removeField = (index: number) => setDraft((d) => ({ ...d, fields: d.fields.filter((_, i) => i !== index) }));
  const addField = () => {
    setDraft((d) => ({ ...d, fields: [...d.fields, newField()] }));
    requestAnimationFrame(() => {
      const inputs = formRef.current?.querySelectorAll<HTMLInputElement>(".field-name input");
      inputs?.[inputs.length - 1]?.focus();
    });
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(storeBody(draft));
  };
  const sizeHint = draft.maxSizeBytes.trim() !== "" && Number(draft.maxSizeBytes) > 0
    ? `${bytesText(Number(draft.maxSizeBytes))}. ` : "";

  return (
    <Dialog title={title} open={open} onClose={onClose}>
      <form ref={formRef} onSubmit={submit} className="form store-form">
        <ErrorAlert error={found ? null : error} />
        <label htmlFor={`${formId}-name`}>Name</label>
        <input id={`${formId}-name`} type="text" required maxLength={200} value={draft.name} autoFocus
          aria-invalid={problem("name") ? true : undefined}
          aria-describedby={describedBy(problem("name") && `${formId}-name-error`)}
          onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
        <FieldError id={`${formId}-name-error`} message={problem("name")} />
        <fieldset className="fields-editor" aria-describedby={describedBy(`${formId}-fields-hint`,
          problem("structure") && `${formId}-structure-error`)}>
          <legend>Fields</legend>
          <p id={`${formId}-fields-hint`} className="hint-text">
            Each record holds these fields. A name has letters, digits and _, and does not start with a digit.
            {note ? ` ${note}` : ""}
          </p>
          <FieldError id={`${formId}-structure-error`} message={problem("structure")} />
          <div className="field-rows">
            {draft.fields.map((field, index) => (
              <FieldRow key={field.id} index={index} field={field} formId={formId} problem={problem}
                onChange={(f) => setField(index, f)} onRemove={draft.fields.length > 1 ? () => removeField(index) : null} />
            ))}
          </div>
          <button type="button" className="button small" onClick={addField}>Add field</button>
        </fieldset>
        <div className="limits">
          <div className="limit">
            <label htmlFor={`${formId}-records`}>Most records</label>
            <input id={`${formId}-records`} type="number" min={1} step={1} inputMode="numeric" value={draft.maxRecords}
              aria-invalid={problem("max_records") ? true : undefined}
              aria-describedby={describedBy(`${formId}-records-hint`, problem("max_records") && `${formId}-records-error`)}
              onChange={(e) => setDraft({ ...draft, maxRecords: e.target.value })} />
            <p id={`${formId}-records-hint`} className="hint-text">{limitHint}</p>
            <FieldError id={`${formId}-records-error`} message={problem("max_records")} />
          </div>
          <div className="limit">
            <label htmlFor={`${formId}-bytes`}>Most bytes</label>
            <input id={`${formId}-bytes`} type="number" min={1} step={1} inputMode="numeric" value={draft.maxSizeBytes}
              aria-invalid={problem("max_size_bytes") ? true : undefined}
              aria-describedby={describedBy(`${formId}-bytes-hint`, problem("max_size_bytes") && `${formId}-bytes-error`)}
              onChange={(e) => setDraft({ ...draft, maxSizeBytes: e.target.value })} />
            <p id={`${formId}-bytes-hint`} className="hint-text">{sizeHint}{limitHint}</p>
            <FieldError id={`${formId}-bytes-error`} message={problem("max_size_bytes")} />
          </div>
        </div>
        <div className="dialog-actions">
          <button type="button" className="button ghost" onClick={onClose}>Cancel</button>
          <button type="submit" className="button primary" disabled={busy}>{submitLabel}</button>
        </div>
      </form>
    </Dialog>
  );
}
