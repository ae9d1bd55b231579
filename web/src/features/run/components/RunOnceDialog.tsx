import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { ErrorAlert, Loading } from "@/components/ui/Alert";
import { Dialog } from "@/components/ui/Dialog";
import { startRun, useLatestExecution, waitForNextExecution } from "../api/run";
import { lastInputText, parseSampleInput } from "../live";
import { CopyText } from "@/components/ui/CopyText";

export interface RunOnceScenario {
  id: string;
  active: boolean;
  webhook_url?: string | null;
  definition: unknown;
}

interface RunOnceProps {
  scenario: RunOnceScenario;
  /** Called with the new execution's id once it was started (or, waiting, once a request came). */
  onExecution: (executionId: string) => void;
}

function triggerModule(definition: unknown): string {
  const trigger = (definition as { trigger?: { module?: unknown } } | null)?.trigger;
  return typeof trigger?.module === "string" ? trigger.module : "";
}

function WebhookWait({ scenario, onExecution }: RunOnceProps) {
  const [waiting, setWaiting] = useState(false);
  const [failed, setFailed] = useState(false);
  const stop = useRef<(() => void) | null>(null);
  useEffect(() => () => stop.current?.(), []);
  const url = scenario.webhook_url ?? "";
  const wait = () => {
    setFailed(false);
    setWaiting(true);
    stop.current = waitForNextExecution(scenario.id, (id) => { setWaiting(false); onExecution(id); },
      () => { setWaiting(false); setFailed(true); });
  };
  const cancel = () => {
    stop.current?.();
    setWaiting(false);
  };
  return (
    <div className="run-wait" role="group" aria-label="Wait for webhook">
      <p className="run-or">Or run it with the next request to its webhook:</p>
      <CopyText text={url} />
      {!scenario.active && (
        <p className="hint-text">The scenario is inactive: Run once runs the next request anyway, as if it were
          active (without Run once, requests wait until you activate it).</p>
      )}
      {waiting ? (
        <div className="run-waiting">
          <p role="status" className="loading">Waiting for a request to the webhook URL…</p>
          <button type="button" className="button small" onClick={cancel}>Stop waiting</button>
        </div>
      ) : (
        <button type="button" className="button" onClick={wait}>Wait for webhook</button>
      )}
      {failed && <p role="alert" className="alert">The wait ended without a request. Try again.</p>}
    </div>
  );
}

function RunForm({ scenario, onExecution }: RunOnceProps) {
  const id = useId();
  const webhook = triggerModule(scenario.definition) === "webhooks.custom" || Boolean(scenario.webhook_url);
  const latest = useLatestExecution(scenario.id);
  const [text, setText] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const field = useRef<HTMLTextAreaElement>(null);
  const value = text ?? (latest.isPending ? "" : lastInputText(latest.data, webhook));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseSampleInput(value);
    if (!parsed.ok) {
      setProblem(parsed.message);
      field.current?.focus();
      return;
    }
    setProblem(null);
    setBusy(true);
    startRun(scenario.id, parsed.value).then(onExecution, (reason: unknown) => { setError(reason); setBusy(false); });
  };
  return (
    <>
      <form className="form run-form" onSubmit={submit} noValidate>
        <label htmlFor={`${id}-input`}>Sample input</label>
        <p id={`${id}-hint`} className="hint-text">
          JSON: {webhook ? "the body of a webhook request" : "the trigger's input"}
          {latest.data ? ", pre-filled with the last one." : "."}
        </p>
        {latest.isPending && <Loading label="Loading the last input…" />}
        <textarea id={`${id}-input`} ref={field} className="json-input" rows={8} spellCheck={false}
          value={value} onChange={(e) => { setText(e.target.value); setProblem(null); }}
          readOnly={text === null && latest.isPending /* until the last input is in, so that it lands in no typing */}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? `${id}-hint ${id}-problem` : `${id}-hint`} />
        {problem && <p id={`${id}-problem`} className="field-error">{problem}</p>}
        <ErrorAlert error={error} />
        <div className="dialog-actions">
          <button type="submit" className="button primary" disabled={busy}>{busy ? "Starting…" : "Run"}</button>
        </div>
      </form>
      {webhook && scenario.webhook_url && <WebhookWait scenario={scenario} onExecution={onExecution} />}
    </>
  );
}

/** Button "Run once" and its dialog: run the saved scenario with a sample input (JSON, pre-filled with the
 * last input) or, for a webhook trigger, with the next request to its URL. */
export function RunOnceDialog({ scenario, onExecution }: RunOnceProps) {
  const [open, setOpen] = useState(false);
  const started = (executionId: string) => {
    setOpen(false);
    onExecution(executionId);
  };
  return (
    <>
      <button type="button" className="button primary" onClick={() => setOpen(true)}>Run once</button>
      <Dialog title="Run once" open={open} onClose={() => setOpen(false)}>
        <RunForm scenario={scenario} onExecution={started} />
        <div className="dialog-actions">
          <button type="button" className="button ghost" onClick={() => setOpen(false)}>Cancel</button>
        </div>
      </Dialog>
    </>
  );
}
