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
export function ExecutionInspector({ execution, definition, labels }: InspectorProps) {
  const [open, setOpen] = useState<string | null>(null);
  const runs = useMemo(() => stepRuns(execution), [execution]);
  const failed = failedStep(execution);
  const opener = useRef<HTMLElement | null>(null);
  const openStep = (step: string) => {
    if (!runs.has(step)) return;
    opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setOpen(step);
  };
  const close = () => {
    setOpen(null);
    opener.current?.focus(); // back to the bubble or module that opened the operations
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
      <ScenarioCanvas definition={definition} labels={labels} runs={runs} selected={open}
        onSelect={openStep} onOpenRun={openStep} />
      {open !== null && (
        <OperationsPanel execution={execution} step={open} label={labels.get(moduleOf(open)) ?? moduleOf(open)}
          onClose={close} />
      )}
    </div>
  );
}
