import { useId, useMemo, useState } from "react";
import type { Execution } from "@/features/inspector";
import { ERROR_OUTPUT, inErrorHandler, moduleOutputs, reference, stepOutput, stepsBefore, type OutputNode, type StepOutput } from "../mapping";
import { FunctionPicker } from "./FunctionPicker";

export interface MappingPanelProps {
  /** The scenario definition. */
  definition: unknown;
  /** The step whose field is being edited; null: every step's output. */
  stepId: string | null;
  /** The run whose outputs to show (this session's or the latest); else declared schemas. */
  execution?: Execution | null;
  /** `GET /apps` as it came. */
  catalogue: unknown;
  /** Called with the text to insert at the cursor: `{{ step.path }}`, or `name(` for a function. */
  onInsert: (text: string) => void;
  /** Module key -> label. */
  labels?: ReadonlyMap<string, string>;
}

const SOURCE_TEXT: Record<StepOutput["source"], string> = {
  run: "from the last run",
  schema: "declared by the module",
  variables: "the variables it sets",
  none: "no output known yet: run the scenario once",
  error: "the error being handled",
};

function FieldNode({ node, onInsert, depth }: { node: OutputNode; onInsert: (text: string) => void; depth: number }) {
  const [open, setOpen] = useState(depth < 2);
  const hasChildren = node.children.length > 0;
  return (
    <li className="mapping-node">
      <div className="mapping-row">
        {hasChildren ? (
          <button type="button" className="json-toggle" aria-expanded={open} aria-label={`${open ? "Collapse" : "Expand"} ${node.path}`}
            onClick={() => setOpen(!open)}><span className="json-caret" aria-hidden="true">{open ? "▾" : "▸"}</span></button>
        ) : <span className="mapping-spacer" aria-hidden="true" />}
        <button type="button" className="mapping-field" onClick={() => onInsert(reference(node.path))}
          aria-label={`${[node.key, node.type, node.sample ?? ""].join(" ").trim()}, insert ${node.path}`}>
          <span className="mapping-key">{node.key}</span>{" "}
          <span className="mapping-type">{node.type}</span>
          {node.sample !== null && <>{" "}<span className="mapping-sample">{node.sample}</span></>}
        </button>
      </div>
      {hasChildren && open && (
        <ul className="mapping-children">
          {node.children.map((child) => <FieldNode key={child.path} node={child} onInsert={onInsert} depth={depth + 1} />)}
        </ul>
      )}
    </li>
  );
}

function StepTree({ output, label, onInsert }: { output: StepOutput; label: string; onInsert: (text: string) => void }) {
  const [open, setOpen] = useState(true);
  const id = useId();
  return (
    <li className="mapping-step">
      <div className="mapping-row">
        <button type="button" className="json-toggle" aria-expanded={open} aria-controls={`${id}-fields`}
          aria-label={`${open ? "Collapse" : "Expand"} ${output.step.id}`} onClick={() => setOpen(!open)}>
          <span className="json-caret" aria-hidden="true">{open ? "▾" : "▸"}</span>
        </button>
        <button type="button" className="mapping-field mapping-step-name" onClick={() => onInsert(reference(output.step.id))}
          aria-label={`${output.step.id} ${label}, insert ${output.step.id}`}>
          <strong>{output.step.id}</strong> <span className="muted">{label}</span>
        </button>
      </div>
      <p className="mapping-source small-text muted">{SOURCE_TEXT[output.source]}</p>
      {open && output.tree.length > 0 && (
        <ul id={`${id}-fields`} className="mapping-children">
          {output.tree.map((node) => <FieldNode key={node.path} node={node} onInsert={onInsert} depth={0} />)}
        </ul>
      )}
    </li>
  );
}

/** The outputs a step may map: the steps before it (the trigger first, the path through routes and branches),
 * each output as a tree whose fields insert `{{ step.path }}`; and the function picker. */
export function MappingPanel({ definition, stepId, execution, catalogue, onInsert, labels }: MappingPanelProps) {
  const outputs = useMemo(() => moduleOutputs(catalogue), [catalogue]);
  const steps = useMemo(() => [
    ...(inErrorHandler(definition, stepId) ? [ERROR_OUTPUT] : []),
    ...stepsBefore(definition, stepId).map((step) => stepOutput(step, execution, outputs)),
  ], [definition, stepId, execution, outputs]);
  return (
    <div className="mapping-panel">
      <section className="mapping-outputs" aria-label="Step outputs">
        <h3 className="mapping-title">Step outputs</h3>
        {steps.length === 0 ? <p className="muted">No step comes before this one.</p> : (
          <ul className="mapping-steps">
            {steps.map((output) => (
              <StepTree key={output.step.id} output={output}
                label={output.source === "error" ? "Error" : (labels?.get(output.step.module) ?? output.step.module)}
                onInsert={onInsert} />
            ))}
          </ul>
        )}
      </section>
      <FunctionPicker onInsert={onInsert} />
    </div>
  );
}
