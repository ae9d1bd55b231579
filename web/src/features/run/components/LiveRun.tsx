import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Loading } from "@/components/ui/Alert";
import { useModuleLabels } from "@/features/canvas";
import { ExecutionInspector, type Execution } from "@/features/inspector";
import { isFinished, useCatalogue, useLiveExecution } from "../api/run";
import { ExpressionPreview } from "./ExpressionPreview";
import { MappingPanel } from "./MappingPanel";

interface LiveRunProps {
  scenarioId: string;
  executionId: string;
  definition: unknown;
  /** In the editor: the run followed by the editor (`useLiveExecution`), whose canvas draws the bubbles and
   * whose fields offer the outputs for mapping; `open` is the step whose operations are shown. */
  followed?: { execution: Execution | null; open: string | null; onOpenChange: (step: string | null) => void };
}

/** A run started by "Run once", live: the inspector's bubbles grow as operations arrive; then the outputs it
 * produced, for mapping. The scenario's other queries are fetched again once it has finished. */
export function LiveRun({ scenarioId, executionId, definition, followed }: LiveRunProps) {
  const own = useLiveExecution(followed ? null : executionId);
  const execution = followed ? followed.execution : own;
  const labels = useModuleLabels();
  const catalogue = useCatalogue();
  const queries = useQueryClient();
  const [picked, setPicked] = useState<string | null>(null);
  const finished = execution !== null && isFinished(execution);
  useEffect(() => {
    if (finished) void queries.invalidateQueries({ queryKey: ["scenarios", scenarioId] });
  }, [finished, queries, scenarioId]);
  const stepIds = new Set((execution?.log ?? []).map((entry) => entry.step));
  return (
    <section className="live-run" aria-label="Run once result">
      <h2>Run once</h2>
      <p role="status" className={finished ? "muted" : "loading"}>
        {execution === null ? "Starting…" : finished ? "The run has finished." : `Running… ${execution.operations} operations so far.`}
      </p>
      {execution === null ? <Loading label="Connecting to the run…" /> : (
        <ExecutionInspector execution={execution} definition={definition} labels={labels.data ?? new Map()}
          {...(followed ? { canvas: false, open: followed.open, onOpenChange: followed.onOpenChange } : {})} />
      )}
      {!followed && (
        <section className="mapping-section card" aria-labelledby={`mapping-${executionId}`}>
          <h2 id={`mapping-${executionId}`}>Outputs available for mapping</h2>
          <p className="hint-text">Click a field to pick its expression; in the editor, a field being edited offers them too.</p>
          <MappingPanel definition={definition} stepId={null} execution={execution} catalogue={catalogue.data}
            labels={labels.data} onInsert={setPicked} />
          <p role="status" className="mapping-picked">
            {picked !== null && <>Picked: <ExpressionPreview text={picked} steps={stepIds} /></>}
          </p>
        </section>
      )}
    </section>
  );
}
