import { Link } from "react-router";
import { Switch } from "@/components/ui/Switch";
import { countText, dateTimeText, scheduleText, statusText, triggerKind } from "@/lib/format";
import { useLastRun, type Scenario } from "../api/scenarios";

function LastRun({ id }: { id: string }) {
  const run = useLastRun(id);
  if (run.isPending) return <span className="muted">…</span>;
  if (run.isError) return <span className="muted">Unknown</span>;
  if (run.data === null) return <span className="muted">Never</span>;
  const when = dateTimeText(run.data.started_at ?? run.data.finished_at) || "Queued";
  return (
    <span className="last-run">
      <span>{when}</span> <span className={`badge status-${run.data.status}`}>{statusText(run.data.status)}</span>
    </span>
  );
}

interface ScenarioRowProps {
  scenario: Scenario;
  busy: boolean;
  onActive: (active: boolean) => void;
  onRename: () => void;
  onDuplicate: () => void;
  onDelete: () => void;
}

export function ScenarioRow({ scenario, busy, onActive, onRename, onDuplicate, onDelete }: ScenarioRowProps) {
  const definition = scenario.definition as { trigger?: { module?: string }; schedule?: unknown };
  return (
    <tr>
      <th scope="row" data-label="Name">
        <Link to={`/scenarios/${encodeURIComponent(scenario.id)}`} className="scenario-name">{scenario.name}</Link>
      </th>
      <td data-label="Status">
        <Switch label={`Active: ${scenario.name}`} checked={scenario.active} disabled={busy} onChange={onActive} />
      </td>
      <td data-label="Trigger">{triggerKind(definition.trigger?.module)}</td>
      <td data-label="Schedule">{scheduleText(definition.schedule)}</td>
      <td data-label="Last run"><LastRun id={scenario.id} /></td>
      <td data-label="Operations this month" className="numeric">{countText(scenario.operations_this_month ?? 0)}</td>
      <td data-label="Actions" className="row-actions">
        <button type="button" className="button small ghost" aria-label={`Rename ${scenario.name}`} onClick={onRename}>
          Rename
        </button>
        <button type="button" className="button small ghost" aria-label={`Duplicate ${scenario.name}`}
          onClick={onDuplicate} disabled={busy}>
          Duplicate
        </button>
        <button type="button" className="button small ghost danger-text" aria-label={`Delete ${scenario.name}`}
          onClick={onDelete}>
          Delete
        </button>
      </td>
    </tr>
  );
}
