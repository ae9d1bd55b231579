import { Link, useParams } from "react-router";
import { ErrorAlert, Loading } from "@/components/ui/Alert";
import { useTitle } from "@/components/ui/PageTitle";
import { useScenario } from "../api/scenarios";

/** `/scenarios/{id}`: the editor's place. Until the editor lands it names the scenario and its webhook. */
export function ScenarioDetailPage() {
  const { scenarioId = "" } = useParams();
  const scenario = useScenario(scenarioId);
  useTitle(scenario.data?.name ?? "Scenario");
  return (
    <section className="page">
      <p><Link to="/scenarios">← Scenarios</Link></p>
      {scenario.isPending && <Loading label="Loading the scenario…" />}
      <ErrorAlert error={scenario.error} />
      {scenario.data && (
        <>
          <h1>{scenario.data.name}</h1>
          <p className="muted">The scenario editor is coming soon.</p>
          {scenario.data.webhook_url && (
            <p>Webhook URL: <code className="url">{scenario.data.webhook_url}</code></p>
          )}
        </>
      )}
    </section>
  );
}
