import { useState } from "react";
import { Dialog } from "@/components/ui/Dialog";
import { ExecutionInspector, type Execution } from "@/features/inspector";
import { errorMessage } from "@/lib/errors";
import { runOnce } from "../api/catalogue";
import type { Definition } from "../model/definition";

interface RunOnceDialogProps {
  open: boolean;
  scenarioId: string;
  dirty: boolean;
  definition: Definition;
  labels: ReadonlyMap<string, string>;
  onClose: () => void;
}

/** "Run once" (until the run feature's dialog is merged): sample input, run the saved scenario and wait, then
 * the execution in the inspector. */
export function RunOnceDialog({ open, scenarioId, dirty, definition, labels, onClose }: RunOnceDialogProps) {
  const [input, setInput] = useState('{\n  "body": {}\n}');
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [execution, setExecution] = useState<Execution | null>(null);
  const run = async () => {
    let parsed: unknown;
    try {
      parsed = input.trim() === "" ? null : JSON.parse(input);
    } catch {
      setError("The sample input is not valid JSON.");
      return;
    }
    setRunning(true);
    setError(null);
    try {
      setExecution((await runOnce(scenarioId, parsed)) as Execution);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setRunning(false);
    }
  };
  return (
    <Dialog title="Run once" open={open} onClose={onClose}>
      <div className="run-once">
        {dirty && <p className="notice">Runs the saved scenario: save first to run your changes.</p>}
        <label className="param-label" htmlFor="run-once-input">Sample input</label>
        <textarea id="run-once-input" className="code" rows={6} spellCheck={false} value={input} onChange={(e) => setInput(e.target.value)} />
        <p className="param-hint">The trigger&apos;s input as JSON; for a webhook, the request body.</p>
        {error && <p role="alert" className="alert">{error}</p>}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>Close</button>
          <button type="button" className="button primary" onClick={() => void run()} disabled={running}>{running ? "Running…" : "Run"}</button>
        </div>
        {execution && <ExecutionInspector execution={execution} definition={definition} labels={labels} />}
      </div>
    </Dialog>
  );
}
