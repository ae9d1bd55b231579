import { useEffect, useState } from "react";
import { Link, useParams } from "react-router";
import { ErrorAlert, Loading } from "@/components/ui/Alert";
import { Dialog } from "@/components/ui/Dialog";
import { useTitle } from "@/components/ui/PageTitle";
import { useSaveDefinition, useScenarioForPanels, type ScenarioPublic } from "../api/editor";
import { listSteps, scheduleOf, setStepFilter, settingsOf, type DefinitionObject } from "../definition";
import { summary } from "../filter";
import { FilterEditor } from "./FilterEditor";
import { ScenarioSettingsForm } from "./ScenarioSettingsForm";
import { ScheduleEditor } from "./ScheduleEditor";
import { VersionsPanel } from "./VersionsPanel";

/** `/scenarios/{id}/settings`: settings, schedule, the steps' filters and the versions, until the editor
 * assembles these panels itself. Edits stay in a draft until "Save" (PUT). */
export function ScenarioSettingsPage() {
  const { scenarioId = "" } = useParams();
  const scenario = useScenarioForPanels(scenarioId);
  useTitle(scenario.data ? `Settings of ${scenario.data.name}` : "Scenario settings");
  return (
    <section className="page editor-panels">
      <p><Link to={`/scenarios/${scenarioId}`}>← {scenario.data?.name ?? "Scenario"}</Link></p>
      {scenario.isPending && <Loading label="Loading the scenario…" />}
      <ErrorAlert error={scenario.error} />
      {scenario.data && <Panels key={scenario.data.id} scenario={scenario.data} />}
    </section>
  );
}

function Panels({ scenario }: { scenario: ScenarioPublic }) {
  const [draft, setDraft] = useState<DefinitionObject>(scenario.definition);
  const [dirty, setDirty] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const save = useSaveDefinition(scenario.id);
  const edit = (next: DefinitionObject) => { setDraft(next); setDirty(true); setSaved(false); };
  const reset = (next: ScenarioPublic) => { setDraft(next.definition); setDirty(false); setSaved(false); save.reset(); };

  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  const submit = () => save.mutate(draft, {
    onSuccess: (answer) => { setDraft(answer.definition); setDirty(false); setSaved(true); },
  });
  const steps = listSteps(draft);
  const step = steps.find((s) => s.id === editing);
  return (
    <>
      <div className="page-head">
        <h1>Settings of {scenario.name}</h1>
        <div className="actions">
          {dirty && <span className="badge status-warning">Unsaved changes</span>}
          <button type="button" className="button primary" disabled={save.isPending} onClick={submit}>Save</button>
        </div>
      </div>
      <ErrorAlert error={save.error} />
      {saved && <p role="status" className="notice">Saved. The previous definition is kept as a version.</p>}
      <div className="panel-grid">
        <section className="card section" aria-labelledby="panel-settings">
          <h2 id="panel-settings">Settings</h2>
          <ScenarioSettingsForm value={settingsOf(draft)} onChange={(settings) => edit({ ...draft, settings })} />
        </section>
        <section className="card section" aria-labelledby="panel-schedule">
          <h2 id="panel-schedule">Schedule</h2>
          <ScheduleEditor value={scheduleOf(draft)} onChange={(schedule) => edit({ ...draft, schedule })} />
        </section>
        <section className="card section" aria-labelledby="panel-filters">
          <h2 id="panel-filters">Filters</h2>
          {steps.length === 0 ? <p className="muted">The flow has no steps yet.</p> : (
            <ul aria-label="Steps" className="step-list">
              {steps.map((s) => (
                <li key={s.id} className="step-item">
                  <span>
                    <code className="step-id">{s.id}</code> <span className="muted small-inline">{s.module}</span>
                    <span className="small-text">{s.filter ? `Filter: ${summary(s.filter)}` : "No filter"}</span>
                  </span>
                  <button type="button" className="button small" onClick={() => setEditing(s.id)}>Edit filter of {s.id}</button>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="card section panel-wide" aria-labelledby="panel-versions">
          <h2 id="panel-versions">Versions</h2>
          <VersionsPanel scenarioId={scenario.id} onRestored={reset} />
        </section>
      </div>
      <Dialog title={`Filter of ${editing ?? ""}`} open={step !== undefined} onClose={() => setEditing(null)}>
        {step && (
          <FilterEditor value={step.filter} onCancel={() => setEditing(null)}
            onApply={(filter) => { edit(setStepFilter(draft, step.id, filter)); setEditing(null); }} />
        )}
      </Dialog>
    </>
  );
}
