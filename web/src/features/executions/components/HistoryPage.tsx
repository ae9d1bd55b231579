import { useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { ErrorAlert, Loading } from "@/components/ui/Alert";
import { useTitle } from "@/components/ui/PageTitle";
import { LiveRun, RunOnceDialog } from "@/features/run";
import { useScenario } from "@/features/scenarios";
import { preciseDateTimeText, runDurationText, statusText } from "@/lib/format";
import { useHistory, type ExecutionRow } from "../api/history";
import { inspectorPath, parseStatus, RUN_STATUSES, type RunStatus } from "../history";

function EmptyState({ status }: { status: RunStatus | null }) {
  if (status !== null) {
    return <p className="empty-search">No executions with the status {statusText(status)}.</p>;
  }
  return (
    <div className="empty">
      <h2>No executions yet</h2>
      <p>
        Each run of this scenario lands here. Run it once from the API
        (<code>POST /api/v1/scenarios/{"{id}"}/run</code>), or activate it on the scenario list and let its
        trigger fire, for example by calling its webhook.
      </p>
    </div>
  );
}

function HistoryRow({ scenarioId, run }: { scenarioId: string; run: ExecutionRow }) {
  const started = preciseDateTimeText(run.started_at) || "Not started yet";
  return (
    <tr>
      <td data-label="Status"><span className={`badge status-${run.status}`}>{statusText(run.status)}</span></td>
      <th scope="row" data-label="Started">
        <Link to={inspectorPath(scenarioId, run.id)}>{started}</Link>
      </th>
      <td data-label="Duration">{runDurationText(run.started_at, run.finished_at) || <span className="muted">Not finished</span>}</td>
      <td data-label="Operations">{run.operations}</td>
      <td data-label="Error" className="error-cell">{run.error?.type ?? <span className="muted">None</span>}</td>
    </tr>
  );
}

/** `/scenarios/{id}/history`: the scenario's executions, newest first, by status, a page at a time. */
export function HistoryPage() {
  const { scenarioId = "" } = useParams();
  const [search, setSearch] = useSearchParams();
  const status = parseStatus(search.get("status"));
  const scenario = useScenario(scenarioId);
  const history = useHistory(scenarioId, status);
  const name = scenario.data?.name ?? "Scenario";
  useTitle(`History of ${name}`);
  const runs = history.data?.pages.flat() ?? [];
  const [live, setLive] = useState<string | null>(null);
  const choose = (value: string) => {
    const next = new URLSearchParams(search);
    if (parseStatus(value)) next.set("status", value); else next.delete("status");
    setSearch(next, { replace: true });
  };
  return (
    <section className="page history">
      <p><Link to={`/scenarios/${encodeURIComponent(scenarioId)}`}>← {name}</Link></p>
      <div className="page-head">
        <h1>History of {name}</h1>
        {scenario.data && <RunOnceDialog scenario={scenario.data} onExecution={setLive} />}
      </div>
      <ErrorAlert error={scenario.error} />
      {live !== null && scenario.data && (
        <LiveRun key={live} scenarioId={scenarioId} executionId={live} definition={scenario.data.definition} />
      )}
      <div className="toolbar">
        <label className="field-inline">
          <span>Status</span>
          <select className="select" value={status ?? ""} onChange={(e) => choose(e.target.value)}>
            <option value="">All statuses</option>
            {RUN_STATUSES.map((s) => <option key={s} value={s}>{statusText(s)}</option>)}
          </select>
        </label>
      </div>
      {history.isPending && <Loading label="Loading executions…" />}
      <ErrorAlert error={history.error} />
      {history.isSuccess && runs.length === 0 && <EmptyState status={status} />}
      {runs.length > 0 && (
        <table className="table cards history-table">
          <caption className="visually-hidden">Executions of {name}, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Status</th><th scope="col">Started</th><th scope="col">Duration</th>
              <th scope="col">Operations</th><th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => <HistoryRow key={run.id} scenarioId={scenarioId} run={run} />)}
          </tbody>
        </table>
      )}
      {history.hasNextPage && (
        <p>
          <button type="button" className="button" disabled={history.isFetchingNextPage}
            onClick={() => { void history.fetchNextPage(); }}>
            {history.isFetchingNextPage ? "Loading older executions…" : "Load older executions"}
          </button>
        </p>
      )}
    </section>
  );
}
