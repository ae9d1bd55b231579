import type { ReactNode } from "react";
import type { FieldDescriptor, FormValues, Mode } from "../schema-form";

interface SchemaFieldsProps {
  idPrefix: string;
  fields: FieldDescriptor[];
  values: FormValues;
  problems: Record<string, string>;
  mode: Mode;
  onChange: (key: string, value: string | boolean) => void;
}

export const KEEP_HINT = "Leave blank to keep the current value.";

/** The label, marked when required (the mark is explained once above the form). */
export function FieldLabel({ htmlFor, label, required }: { htmlFor: string; label: string; required: boolean }) {
  return (
    <label htmlFor={htmlFor}>
      {label}{required && <span className="required-mark" aria-hidden="true"> *</span>}
    </label>
  );
}

/** The hint and the problem under an input, both in its accessible description. */
export function FieldNotes({ id, hint, problem }: { id: string; hint: string | null; problem: string | undefined }) {
  return (
    <>
      {hint && <p id={`${id}-hint`} className="field-hint">{hint}</p>}
      {problem && <p id={`${id}-problem`} className="field-problem">{problem}</p>}
    </>
  );
}

export function describedBy(id: string, hint: string | null, problem: string | undefined): string | undefined {
  const ids = [hint ? `${id}-hint` : null, problem ? `${id}-problem` : null].filter(Boolean);
  return ids.length > 0 ? ids.join(" ") : undefined;
}

function hintOf(field: FieldDescriptor, mode: Mode): string | null {
  const parts = [field.hint];
  if (field.kind === "list") parts.push("Separate them with spaces.");
  if (field.secret && mode === "edit") parts.push(KEEP_HINT);
  const text = parts.filter(Boolean).join(" ");
  return text === "" ? null : text;
}

function Input({ id, field, value, common, onChange }: {
  id: string; field: FieldDescriptor; value: string | boolean;
  common: Record<string, unknown>; onChange: (value: string | boolean) => void;
}): ReactNode {
  const text = typeof value === "string" ? value : "";
  const set = (e: { target: { value: string } }) => onChange(e.target.value);
  switch (field.kind) {
    case "secret":
      return field.multiline
        ? <textarea id={id} className="field-input secret-text" rows={4} autoComplete="off" spellCheck={false}
            value={text} onChange={set} {...common} />
        : <input id={id} type="password" className="field-input" autoComplete="new-password" value={text}
            onChange={set} {...common} />;
    case "integer":
    case "number":
      return <input id={id} type="number" className="field-input" inputMode={field.kind === "integer" ? "numeric" : "decimal"}
        step={field.kind === "integer" ? 1 : "any"} min={field.minimum ?? undefined} max={field.maximum ?? undefined}
        value={text} onChange={set} {...common} />;
    case "select":
      return (
        <select id={id} className="field-input" value={text} onChange={set} {...common}>
          {(!field.required || text === "") && <option value="">{field.nullable ? "None" : "Choose one"}</option>}
          {field.options.map((option) => <option key={option} value={option}>{option}</option>)}
        </select>
      );
    case "multiline":
    case "json":
      return <textarea id={id} className="field-input" rows={3} spellCheck={false} value={text} onChange={set} {...common} />;
    default:
      return <input id={id} type="text" className="field-input" autoComplete="off" spellCheck={false} value={text}
        onChange={set} {...common} />;
  }
}

function Checkbox({ id, field, value, hint, problem, onChange }: {
  id: string; field: FieldDescriptor; value: boolean; hint: string | null; problem: string | undefined;
  onChange: (value: boolean) => void;
}) {
  return (
    <div className="field">
      <label className="check" htmlFor={id}>
        <input id={id} type="checkbox" checked={value} aria-describedby={describedBy(id, hint, problem)}
          aria-invalid={problem ? true : undefined} onChange={(e) => onChange(e.target.checked)} />
        {field.label}
      </label>
      <FieldNotes id={id} hint={hint} problem={problem} />
    </div>
  );
}

/** The inputs a connection type's schema asks for (see schema-form.ts). */
export function SchemaFields({ idPrefix, fields, values, problems, mode, onChange }: SchemaFieldsProps) {
  return (
    <>
      {fields.map((field) => {
        const id = `${idPrefix}-${field.key}`;
        const hint = hintOf(field, mode);
        const problem = problems[field.key];
        const value = values[field.key] ?? "";
        if (field.kind === "boolean") {
          return <Checkbox key={field.key} id={id} field={field} value={value === true} hint={hint} problem={problem}
            onChange={(v) => onChange(field.key, v)} />;
        }
        const common = {
          "aria-describedby": describedBy(id, hint, problem),
          "aria-invalid": problem ? true : undefined,
          "aria-required": field.required && !(field.secret && mode === "edit") ? true : undefined,
        };
        return (
          <div className="field" key={field.key}>
            <FieldLabel htmlFor={id} label={field.label} required={field.required && !(field.secret && mode === "edit")} />
            <Input id={id} field={field} value={value} common={common} onChange={(v) => onChange(field.key, v)} />
            <FieldNotes id={id} hint={hint} problem={problem} />
          </div>
        );
      })}
    </>
  );
}
