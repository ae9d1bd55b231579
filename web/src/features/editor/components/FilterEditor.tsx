import { useId, useState } from "react";
import { Dialog } from "@/components/ui/Dialog";
import { Switch } from "@/components/ui/Switch";
import {
  emptyRow, expressionToRows, fromModel, OPERATOR_GROUPS, rowNumber, rowsToExpression, summary, toModel, UNARY,
  validate, type Filter, type FilterModel, type Problem, type Row,
} from "../filter";

interface FilterEditorProps {
  value: Filter | null | undefined;
  /** Called with the filter to store, or null when the step is to have none. */
  onApply: (filter: Filter | null) => void;
  onCancel?: () => void;
}

const blank = (groups: Row[][]) => groups.every((g) => g.every((r) => r.a.trim() === "" && r.b.trim() === ""));

/** A step's filter: Make's condition builder (OR groups of AND rows), or one raw expression. */
export function FilterEditor({ value, onApply, onCancel }: FilterEditorProps) {
  const [model, setModel] = useState<FilterModel>(() => toModel(value));
  const [refusal, setRefusal] = useState<string | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const labelId = useId();
  const rawId = useId();

  const update = (groups: Row[][]) => setModel({ ...model, groups });
  const setRow = (i: number, j: number, patch: Partial<Row>) =>
    update(model.groups.map((g, gi) => (gi !== i ? g : g.map((r, ri) => (ri === j ? { ...r, ...patch } : r)))));
  const removeRow = (i: number, j: number) =>
    update(model.groups.map((g, gi) => (gi === i ? g.filter((_, ri) => ri !== j) : g)).filter((g) => g.length > 0));

  const toggleRaw = (raw: boolean) => {
    if (raw) {
      const written = blank(model.groups) ? { ok: true as const, value: "" } : rowsToExpression(model.groups);
      if (!written.ok) { setRefusal(written.message); return; }
      setModel({ ...model, mode: "raw", raw: written.value });
    } else {
      const read = expressionToRows(model.raw);
      if (!read.ok) { setRefusal(read.message); return; }
      setModel({ ...model, mode: "rows", groups: read.value });
    }
    setRefusal(null);
    setProblems([]);
  };

  const apply = () => {
    const found = validate(model);
    setProblems(found);
    if (found.length === 0) onApply(fromModel(model));
  };

  const stored = fromModel(model);
  const preview = stored ? summary({ ...stored, label: null }, 160) : "";
  return (
    <div className="filter-editor">
      <div className="field">
        <label htmlFor={labelId}>Label</label>
        <input id={labelId} type="text" value={model.label} placeholder="Shown on the link instead of the condition"
          onChange={(e) => setModel({ ...model, label: e.target.value })} />
      </div>
      <div className="filter-mode">
        <Switch label="Raw expression" checked={model.mode === "raw"} onChange={toggleRaw} />
        <span aria-hidden="true">Raw expression</span>
      </div>
      {refusal && <p role="alert" className="alert">{refusal}</p>}
      {model.mode === "raw" ? (
        <div className="field">
          <label htmlFor={rawId}>Condition expression</label>
          <textarea id={rawId} className="code-input" rows={3} value={model.raw} spellCheck={false}
            placeholder="{{ hook.body.amount > 10 }}" onChange={(e) => setModel({ ...model, raw: e.target.value })} />
          <p className="hint-below">The bundle passes when the expression is true.</p>
        </div>
      ) : (
        <div className="filter-groups">
          {model.groups.map((group, i) => (
            <fieldset key={i} className="filter-group">
              <legend>{i === 0 ? "Conditions (all must hold)" : `Or group ${i + 1} (all must hold)`}</legend>
              {group.map((row, j) => (
                <ConditionRow key={j} row={row} n={rowNumber(model.groups, i, j)} first={j === 0}
                  onChange={(patch) => setRow(i, j, patch)} onRemove={() => removeRow(i, j)} />
              ))}
              <button type="button" className="button small"
                onClick={() => update(model.groups.map((g, gi) => (gi === i ? [...g, emptyRow()] : g)))}>
                Add condition{model.groups.length > 1 ? ` to group ${i + 1}` : ""}
              </button>
            </fieldset>
          ))}
          <button type="button" className="button small" onClick={() => update([...model.groups, [emptyRow()]])}>
            Add OR group
          </button>
        </div>
      )}
      <p className="filter-summary"><span className="muted">The link reads:</span> {model.label.trim() || preview || "no filter"}</p>
      {problems.length > 0 && (
        <div role="alert" className="alert">
          <p className="alert-title">The filter cannot be applied yet:</p>
          <ul>{problems.map((p) => <li key={p.path}>{p.message}</li>)}</ul>
        </div>
      )}
      <div className="dialog-actions">
        {onCancel && <button type="button" className="button ghost" onClick={onCancel}>Cancel</button>}
        {value && <button type="button" className="button" onClick={() => onApply(null)}>Remove filter</button>}
        <button type="button" className="button primary" onClick={apply}>Apply</button>
      </div>
    </div>
  );
}

interface ConditionRowProps {
  row: Row;
  n: number;
  first: boolean;
  onChange: (patch: Partial<Row>) => void;
  onRemove: () => void;
}

function ConditionRow({ row, n, first, onChange, onRemove }: ConditionRowProps) {
  const known = OPERATOR_GROUPS.some((g) => g.operators.some((o) => o.value === row.o));
  return (
    <div role="group" aria-label={`Condition ${n}`} className="filter-row">
      <span className="filter-joiner" aria-hidden="true">{first ? `${n}.` : "and"}</span>
      <input type="text" aria-label="First operand" className="code-input" value={row.a} spellCheck={false}
        placeholder="{{ hook.body.amount }}" onChange={(e) => onChange({ a: e.target.value })} />
      <select aria-label="Operator" value={row.o} onChange={(e) => onChange({ o: e.target.value })}>
        {!known && <option value={row.o}>Unknown: {row.o}</option>}
        {OPERATOR_GROUPS.map((group) => (
          <optgroup key={group.type} label={group.type}>
            {group.operators.map((o) => <option key={o.value} value={o.value}>{group.type}: {o.label}</option>)}
          </optgroup>
        ))}
      </select>
      {UNARY.has(row.o) ? <span className="filter-no-operand muted">no value needed</span> : (
        <input type="text" aria-label="Second operand" className="code-input" value={row.b} spellCheck={false}
          placeholder="10" onChange={(e) => onChange({ b: e.target.value })} />
      )}
      <button type="button" className="button small ghost" aria-label={`Remove condition ${n}`} onClick={onRemove}>
        Remove
      </button>
    </div>
  );
}

/** Dialog "Filter": the editor of one filter (a step's, opened from its settings or its link; or a route's). */
export function FilterDialog({ open, value, onApply, onClose }: {
  open: boolean; value: Filter | null | undefined; onApply: (filter: Filter | null) => void; onClose: () => void;
}) {
  return (
    <Dialog title="Filter" open={open} onClose={onClose}>
      {open && <FilterEditor value={value} onCancel={onClose} onApply={(next) => { onApply(next); onClose(); }} />}
    </Dialog>
  );
}
