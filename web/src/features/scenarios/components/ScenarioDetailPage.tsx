import { Link, useParams, useSearchParams } from "react-router";
import { ErrorAlert, Loading } from "@/components/ui/Alert";
import { useTitle } from "@/components/ui/PageTitle";
import { useModuleLabels } from "@/features/canvas";
import { EditorPage } from "@/features/editor";
import { ExecutionInspector, useExecution } from "@/features/inspector";
import { useScenario, type Scenario } from "../api/scenarios";

const NO_LABELS: ReadonlyMap<string, string> = new Map();

function Inspected({ scenario, executionId, labels }: { scenario: Scenario; executionId: string; labels: ReadonlyMap<string, string> }) {
  const execution = useExecution(executionId);
  if (execution.isPending) return <Loading label="Loading the execution…" />;
  if (execution.isError) return <ErrorAlert error={execution.error} />;
  if (execution.data.scenario_id !== scenario.id) {
    return <p role="alert" className="alert">This execution belongs to another scenario.</p>;
  }
  return <ExecutionInspector execution={execution.data} definition={scenario.definition} labels={labels} />;
}

/** `/scenarios/{id}`: the scenario editor; with `?execution=` the inspector of that run. */
export function ScenarioDetailPage() {
  const { scenarioId = "" } = useParams();
  const [search] = useSearchParams();
  const executionId = search.get("execution");
  const scenario = useScenario(scenarioId);
  const labels = useModuleLabels();
  useTitle(scenario.data?.name ?? "Scenario");
  const base = `/scenarios/${encodeURIComponent(scenarioId)}`;
  return (
    <section className="page scenario-page">
      <p className="page-links">
        <Link to="/scenarios">← Scenarios</Link>
        <Link to={`${base}/history`}>History</Link>
        {executionId !== null && <Link to={base}>Close the execution</Link>}
      </p>
      {scenario.isPending && <Loading label="Loading the scenario…" />}
      <ErrorAlert error={scenario.error} />
      <ErrorAlert error={labels.error} />
      {scenario.data && (
        <>
          <h1 className={executionId !== null ? undefined : "scenario-name"}>{scenario.data.name}</h1>
          {scenario.data.webhook_url && (
            <p>Webhook URL: <code className="url">{scenario.data.webhook_url}</code></p>
          )}
          {labels.isPending ? <Loading label="Loading the modules…" /> : executionId !== null
            ? <Inspected scenario={scenario.data} executionId={executionId} labels={labels.data ?? NO_LABELS} />
            : (
              <EditorPage key={scenario.data.id} scenarioId={scenario.data.id} labels={labels.data ?? NO_LABELS}
                definition={scenario.data.definition as unknown as Parameters<typeof EditorPage>[0]["definition"]}
                webhookUrl={scenario.data.webhook_url} active={scenario.data.active} />
            )}
        </>
      )}
    </section>
  );
}
