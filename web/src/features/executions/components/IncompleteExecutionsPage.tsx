import { useState } from "react";
import { Link } from "react-router";
import { ErrorAlert, Loading } from "@/components/ui/Alert";
import { Dialog } from "@/components/ui/Dialog";
import { useTitle } from "@/components/ui/PageTitle";
import { dateTimeText } from "@/lib/format";
import { useDeleteIncomplete, useIncompleteExecutions, useRetry, useScenarioNames, type Incomplete } from "../api/incomplete";
import { countText, errorText, retrySummary } from "../incomplete";

function EmptyState() {
  return (
    <div className="empty">
      <h2>No incomplete executions</h2>
      <p>
        When a step fails in a scenario that stores incomplete executions, the run waits here with its data, so
        that you can fix the cause and retry it from the failed step.
      </p>
    </div>
  );
}

interface RowProps {
  item: Incomplete;
  name: string;
  selected: boolean;
  busy: boolean;
  onSelect: (selected: boolean) => void;
  onRetry: () => void;
  onDelete: () => void;
}

function IncompleteRow({ item, name, selected, busy, onSelect, onRetry, onDelete }: RowProps) {
  const when = dateTimeText(item.created_at);
  const label = `${name}, step ${item.step}, ${when}`;
  return (
    <tr>
      <td className="select-cell">
        <input type="checkbox" className="row-check" aria-label={`Select ${label}`} checked={selected}
          onChange={(e) => onSelect(e.target.checked)} />
      </td>
      <th scope="row" data-label="Scenario">
        <Link to={`/scenarios/${encodeURIComponent(item.scenario_id)}`} className="scenario-name">{name}</Link>
        <span className="muted small-text">Failed {when}</span>
      </th>
      <td data-label="Step"><code>{item.step}</code></td>
      <td data-label="Error" className="error-cell">{errorText(item.error)}</td>
      <td data-label="Attempts">{item.attempts}</td>
      <td data-label="Next retry">{item.next_retry_at ? dateTimeText(item.next_retry_at) : <span className="muted">Manual only</span>}</td>
      <td data-label="Actions" className="row-actions">
        <button type="button" className="button small" aria-label={`Retry ${label}`} disabled={busy} onClick={onRetry}>
          Retry
        </button>
        <button type="button" className="button small ghost danger-text" aria-label={`Delete ${label}`} disabled={busy}
          onClick={onDelete}>
          Delete
        </button>
      </td>
    </tr>
  );
}

/** `/incomplete-executions`: every run of the account that stopped at a failed step, to retry or delete. */
export function IncompleteExecutionsPage() {
  useTitle("Incomplete executions");
  const list = useIncompleteExecutions();
  const names = useScenarioNames();
  const retry = useRetry();
  const remove = useDeleteIncomplete();
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [deleting, setDeleting] = useState<string[] | null>(null);
  const items = list.data ?? [];
  const present = new Set(items.map((i) => i.id));
  const selected = [...chosen].filter((id) => present.has(id));
  const busy = retry.isPending || remove.isPending;
  const nameOf = (item: Incomplete) => names.data?.get(item.scenario_id) ?? "Unknown scenario";

  const select = (id: string, on: boolean) => setChosen((old) => {
    const next = new Set(old);
    if (on) next.add(id); else next.delete(id);
    return next;
  });
  const doRetry = (ids: string[]) => {
    remove.reset();
    retry.mutate(ids, { onSuccess: () => setChosen(new Set()) });
  };
  const confirmDelete = () => {
    if (!deleting) return;
    remove.mutate(deleting, { onSuccess: () => { setDeleting(null); setChosen(new Set()); } });
  };

  return (
    <section className="page">
      <div className="page-head">
        <h1>Incomplete executions</h1>
      </div>
      {list.isPending && <Loading label="Loading incomplete executions…" />}
      <ErrorAlert error={list.error} />
      <ErrorAlert error={retry.error} />
      <p role="status" className={retry.isPending || retry.isSuccess ? "notice" : "visually-hidden"}>
        {retry.isPending ? `Retrying ${countText(retry.variables.length)}…` : retry.isSuccess ? retrySummary(retry.data) : ""}
      </p>
      {list.isSuccess && items.length === 0 && <EmptyState />}
      {items.length > 0 && (
        <>
          <div className="toolbar">
            <label className="check">
              <input type="checkbox" checked={selected.length === items.length}
                ref={(el) => { if (el) el.indeterminate = selected.length > 0 && selected.length < items.length; }}
                onChange={(e) => setChosen(e.target.checked ? new Set(items.map((i) => i.id)) : new Set())} />
              Select all
            </label>
            <button type="button" className="button small" disabled={selected.length === 0 || busy}
              onClick={() => doRetry(selected)}>Retry selected</button>
            <button type="button" className="button small ghost danger-text" disabled={selected.length === 0 || busy}
              onClick={() => { remove.reset(); setDeleting(selected); }}>Delete selected</button>
            <span className="muted">{selected.length} of {countText(items.length)} selected</span>
          </div>
          <table className="table cards incomplete">
            <caption className="visually-hidden">Your incomplete executions</caption>
            <thead>
              <tr>
                <th scope="col"><span className="visually-hidden">Selected</span></th>
                <th scope="col">Scenario</th><th scope="col">Step</th><th scope="col">Error</th>
                <th scope="col">Attempts</th><th scope="col">Next retry</th>
                <th scope="col"><span className="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <IncompleteRow key={item.id} item={item} name={nameOf(item)} selected={chosen.has(item.id)} busy={busy}
                  onSelect={(on) => select(item.id, on)} onRetry={() => doRetry([item.id])}
                  onDelete={() => { remove.reset(); setDeleting([item.id]); }} />
              ))}
            </tbody>
          </table>
        </>
      )}
      <Dialog title="Delete incomplete executions" open={deleting !== null} onClose={() => setDeleting(null)}>
        <p>
          Delete {countText(deleting?.length ?? 0)}? The data stored for {deleting?.length === 1 ? "it" : "them"} goes
          and {deleting?.length === 1 ? "it" : "they"} can no longer be retried. This cannot be undone.
        </p>
        <ErrorAlert error={remove.error} />
        <div className="dialog-actions">
          <button type="button" className="button ghost" onClick={() => setDeleting(null)} autoFocus>Cancel</button>
          <button type="button" className="button danger" disabled={remove.isPending} onClick={confirmDelete}>Delete</button>
        </div>
      </Dialog>
    </section>
  );
}
