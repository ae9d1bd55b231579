import { useMemo, useRef, useState } from "react";
import { ScenarioCanvas } from "@/features/canvas";
import { preciseDateTimeText, runDurationText, statusText } from "@/lib/format";
import { failedStep, stepRuns, type Execution } from "../run-data";
import { OperationsPanel } from "./OperationsPanel";

interface InspectorProps {
  /** The execution (`GET /executions/{id}`, or a live one from "Run once"). */
  execution: Execution;
  /** The scenario definition the canvas draws. */
  definition: unknown;
  /** Module key -> label, from `GET /apps`. */
  labels: ReadonlyMap<string, string>;
  /** False when another canvas (the editor's) draws the bubbles; then `open` and `onOpenChange` say which
   * step's operations are shown. */
  canvas?: boolean;
  /** The step whose operations are shown (controlled); uncontrolled when undefined. */
  open?: string | null;
  onOpenChange?: (step: string | null) => void;
}

function Summary({ execution }: { execution: Execution }) {
  const duration = runDurationText(execution.started_at, execution.finished_at);
  return (
    <dl className="run-summary">
      <div><dt>Status</dt><dd><span className={`badge status-${execution.status}`}>{statusText(execution.status)}</span></dd></div>
      <div><dt>Started</dt><dd>{preciseDateTimeText(execution.started_at) || "Not yet"}</dd></div>
      <div><dt>Duration</dt><dd>{duration || "Not finished"}</dd></div>
      <div><dt>Operations</dt><dd>{execution.operations}</dd></div>
    </dl>
  );
}

/** One execution on the canvas: its summary, a bubble per step that ran ("N operations"), the failed step
 * marked with its error, and region "Operations" for the step whose bubble was activated. */
export function ExecutionInspector({ execution, definition, labels, canvas = true, ...control }: InspectorProps) {
  const [own, setOwn] = useState<string | null>(null);
  const open = control.open !== undefined ? control.open : own;
  const setOpen = control.onOpenChange ?? setOwn;
  const runs = useMemo(() => stepRuns(execution), [execution]);
  const failed = failedStep(execution);
  const opener = useRef<HTMLElement | null>(null);
  const shown = useRef<string | null>(null);
  if (open !== shown.current) {
    // rendered before the panel takes the focus: remember the bubble or module (here or on the editor's canvas)
    if (open !== null) opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    shown.current = open;
  }
  const openStep = (step: string) => {
    if (runs.has(step)) setOpen(step);
  };
  const close = () => {
    setOpen(null);
    opener.current?.focus();
  };
  const moduleOf = (step: string) => execution.log.find((e) => e.step === step)?.module ?? "";
  return (
    <div className="inspector">
      <section className="run card" aria-label="Execution">
        <h2 className="run-title">Execution</h2>
        <Summary execution={execution} />
        {execution.confidential && (
          <p className="notice">This scenario is confidential: no input or output data was kept for this execution.</p>
        )}
        {execution.error && (
          <p className="run-failure">
            <span aria-hidden="true">⚠ </span>Failed at step <code>{failed ?? execution.error.step}</code>:{" "}
            <strong>{execution.error.type}</strong>{execution.error.message ? `: ${execution.error.message}` : ""}
          </p>
        )}
      </section>
      {canvas && (
        <ScenarioCanvas definition={definition} labels={labels} runs={runs} selected={open}
          onSelect={openStep} onOpenRun={openStep} />
      )}
      {open !== null && runs.has(open) && (
        <OperationsPanel execution={execution} step={open} label={labels.get(moduleOf(open)) ?? moduleOf(open)}
          onClose={close} />
      )}
    </div>
  );
}
