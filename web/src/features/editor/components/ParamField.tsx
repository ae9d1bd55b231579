import { useEffect, useId, useState } from "react";
import type { Json } from "../model/definition";
import { FieldExpression } from "./FieldMapping";
import { objectOf, parseField, rowsOf, textOf, type FieldSpec } from "../model/schema-form";

interface ParamFieldProps {
  spec: FieldSpec;
  value: Json | undefined;
  /** A problem the server named at this field. */
  error?: string;
  /** A new value (undefined: no value); `group` folds the keystrokes of one field into one undo step. */
  onChange: (value: Json | undefined) => void;
}

function same(a: Json | undefined, b: Json | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function Label({ htmlFor, spec }: { htmlFor: string; spec: FieldSpec }) {
  return (
    <label htmlFor={htmlFor} className="param-label">
      {spec.title}{spec.required && <span className="required" aria-hidden="true"> *</span>}
    </label>
  );
}

function Hints({ id, spec, error, local }: { id: string; spec: FieldSpec; error?: string; local: string | null }) {
  return (
    <>
      {spec.description && <p id={`${id}-hint`} className="param-hint">{spec.description}</p>}
      {(local ?? error) && <p id={`${id}-error`} className="field-error">{local ?? error}</p>}
    </>
  );
}

/** One param: an input by its type; text stays text until it reads as the type, so an expression fits anywhere. */
export function ParamField({ spec, value, error, onChange }: ParamFieldProps) {
  const id = useId();
  if (spec.kind === "keyvalue") return <KeyValueField spec={spec} value={value} error={error} onChange={onChange} />;
  if (spec.kind === "boolean" && (value === undefined || typeof value === "boolean")) {
    return (
      <div className="param">
        <label className="check param-check">
          <input type="checkbox" checked={value ?? spec.default === true} aria-describedby={spec.description ? `${id}-hint` : undefined}
            onChange={(e) => onChange(e.target.checked)} />
          {spec.title}
        </label>
        <Hints id={id} spec={spec} error={error} local={null} />
      </div>
    );
  }
  return <TextField spec={spec} value={value} error={error} onChange={onChange} />;
}

function TextField({ spec, value, error, onChange }: ParamFieldProps) {
  const id = useId();
  const [text, setText] = useState(() => textOf(value, spec.kind));
  const [local, setLocal] = useState<string | null>(null);
  useEffect(() => {
    // an outside change (undo, rename, import): show it, unless the text already means it
    setText((current) => {
      const parsed = parseField(current, spec.kind);
      return parsed.ok && same(parsed.value, value) ? current : textOf(value, spec.kind);
    });
  }, [value, spec.kind]);
  const change = (next: string) => {
    setText(next);
    const parsed = parseField(next, spec.kind);
    setLocal(parsed.ok ? null : parsed.message);
    if (parsed.ok) onChange(parsed.value);
  };
  const described = [spec.description ? `${id}-hint` : "", local ?? error ? `${id}-error` : ""].filter(Boolean).join(" ");
  const common = {
    id, value: text, "aria-required": spec.required || undefined, "aria-invalid": (local ?? error) ? true : undefined,
    "aria-describedby": described || undefined,
  };
  const enumerated = spec.kind === "enum" && (text === "" || spec.options.map(String).includes(text));
  return (
    <div className="param">
      <Label htmlFor={id} spec={spec} />
      {enumerated ? (
        <select {...common} onChange={(e) => {
          const option = spec.options.find((o) => String(o) === e.target.value);
          setText(e.target.value);
          onChange(option);
        }}>
          <option value="">{spec.default !== undefined && spec.default !== null ? `Default (${String(spec.default)})` : "Not set"}</option>
          {spec.options.map((o) => <option key={String(o)} value={String(o)}>{String(o)}</option>)}
        </select>
      ) : spec.kind === "json" || spec.kind === "textarea" ? (
        <textarea {...common} className="code" rows={spec.kind === "json" ? 4 : 3} spellCheck={false}
          onChange={(e) => change(e.target.value)} />
      ) : (
        <input {...common} type="text" inputMode={spec.kind === "number" || spec.kind === "integer" ? "decimal" : undefined}
          className={text.includes("{{") ? "code" : undefined} onChange={(e) => change(e.target.value)} />
      )}
      {!enumerated && <FieldExpression text={text} />}
      {spec.kind === "enum" && !enumerated && <p className="param-hint">An expression; clear it to pick from the list.</p>}
      <Hints id={id} spec={spec} error={error} local={local} />
    </div>
  );
}

/** An object as rows of name and value (Set variables' variables, headers, query). */
function KeyValueField({ spec, value, error, onChange }: ParamFieldProps) {
  const id = useId();
  const [rows, setRows] = useState<[string, string][]>(() => rowsOf(value));
  useEffect(() => {
    setRows((current) => (same(objectOf(current), value ?? {}) || (value === undefined && current.length > 0 && same(objectOf(current), {}))
      ? current : rowsOf(value)));
  }, [value]);
  const update = (next: [string, string][]) => {
    setRows(next);
    const object = objectOf(next);
    onChange(Object.keys(object).length === 0 && !spec.required ? undefined : object);
  };
  return (
    <fieldset className="param keyvalue" aria-describedby={spec.description ? `${id}-hint` : undefined}>
      <legend>{spec.title}{spec.required && <span className="required" aria-hidden="true"> *</span>}</legend>
      {rows.map(([name, text], i) => (
        <div className="keyvalue-row" key={i}>
          <input type="text" aria-label={`${spec.title} name ${i + 1}`} placeholder="name" value={name} data-no-mapping
            onChange={(e) => update(rows.map((r, j) => (j === i ? [e.target.value, r[1]] : r)))} />
          <input type="text" className="code" aria-label={`${spec.title} value ${i + 1}`} placeholder="value or {{ expression }}"
            value={text} onChange={(e) => update(rows.map((r, j) => (j === i ? [r[0], e.target.value] : r)))} />
          <button type="button" className="button small ghost" aria-label={`Remove ${spec.title} ${i + 1}`}
            onClick={() => update(rows.filter((_, j) => j !== i))}>✕</button>
          <div className="keyvalue-expression"><FieldExpression text={text} /></div>
        </div>
      ))}
      <button type="button" className="button small" onClick={() => setRows([...rows, ["", ""]])}>Add to {spec.title}</button>
      <Hints id={id} spec={spec} error={error} local={null} />
    </fieldset>
  );
}
