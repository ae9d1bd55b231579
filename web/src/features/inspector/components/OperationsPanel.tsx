import { useEffect, useId, useRef } from "react";
import { operationsText } from "@/features/canvas";
import { dateTimeText, elapsedText, statusText } from "@/lib/format";
import type { Execution, LogEntry } from "../run-data";
import { operationsOf } from "../run-data";
import { JsonTree } from "./JsonTree";

function DataGroup({ title, value, present, confidential }: { title: string; value: unknown; present: boolean; confidential: boolean }) {
  const id = useId();
  return (
    <div role="group" aria-labelledby={id} className="data-group">
      <h4 id={id}>{title}</h4>
      {present ? <JsonTree value={value} root={title} /> : (
        <p className="muted">{confidential ? "Not kept: the scenario is confidential." : "None."}</p>
      )}
    </div>
  );
}

function Operation({ entry, n, confidential }: { entry: LogEntry; n: number; confidential: boolean }) {
  const id = useId();
  const failed = entry.status === "error";
  return (
    <div role="group" aria-labelledby={id} className={`operation${failed ? " failed" : ""}`}>
      <h3 id={id}>Operation {n}</h3>
      <p className="operation-meta">
        <span className={`badge status-${entry.status}`}>{failed ? "⚠ " : ""}{statusText(entry.status)}</span>{" "}
        <span className="muted">bundle {entry.bundle + 1}, {elapsedText(entry.duration_ms)}
          {entry.started_at ? `, ${dateTimeText(entry.started_at)}` : ""}</span>
      </p>
      {entry.error && (
        <p className="step-error">
          <strong>{entry.error.type}</strong>{entry.error.message ? `: ${entry.error.message}` : ""}
        </p>
      )}
      <div className="data-groups">
        <DataGroup title="Input" value={entry.input} present={entry.input !== undefined} confidential={confidential} />
        <DataGroup title="Output" value={entry.output} present={entry.output !== undefined} confidential={confidential} />
      </div>
    </div>
  );
}

interface PanelProps {
  execution: Execution;
  step: string;
  label: string;
  onClose: () => void;
}

/** Region "Operations": one group "Operation N" per operation of the step, each with "Input" and "Output". */
export function OperationsPanel({ execution, step, label, onClose }: PanelProps) {
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const operations = operationsOf(execution, step);
  const filtered = execution.log.filter((e) => e.step === step).length - operations.length;
  useEffect(() => { heading.current?.focus(); }, [step]);
  return (
    <section className="operations card" aria-labelledby={headingId}>
      <div className="operations-head">
        <h2 id={headingId} ref={heading} tabIndex={-1}>Operations<span className="visually-hidden">:</span> <span className="operations-step">{step}: {label}</span></h2>
        <button type="button" className="button small ghost" onClick={onClose}>Close operations</button>
      </div>
      <p className="muted">
        {operationsText(operations.length)}
        {filtered > 0 ? `; ${filtered} ${filtered === 1 ? "bundle" : "bundles"} stopped at the filter` : ""}
      </p>
      {operations.map((entry, i) => (
        <Operation key={`${entry.bundle}-${i}`} entry={entry} n={i + 1} confidential={execution.confidential} />
      ))}
    </section>
  );
}
