import { useId, useState, type ReactNode } from "react";
import { ErrorAlert, Loading } from "@/components/ui/Alert";
import { useTitle } from "@/components/ui/PageTitle";
import { copyName, matchesSearch } from "@/lib/format";
import {
  newDefinition, useCreateScenario, useDeleteScenario, useSaveScenario, useScenarios, useSetActive, type Scenario,
} from "../api/scenarios";
import { DeleteDialog } from "./DeleteDialog";
import { NameDialog } from "./NameDialog";
import { ScenarioRow } from "./ScenarioRow";

function EmptyState() {
  return (
    <div className="empty">
      <h2>No scenarios yet</h2>
      <p>
        A scenario moves data between apps. Start with “Create a new scenario”: it begins with a webhook trigger, so
        any app can start it by calling its URL. Then switch it to Active.
      </p>
    </div>
  );
}

function ScenarioTable({ rows, children }: { rows: Scenario[]; children: (s: Scenario) => ReactNode }) {
  return (
    <table className="table cards scenarios">
      <caption className="visually-hidden">Your scenarios</caption>
      <thead>
        <tr>
          <th scope="col">Name</th><th scope="col">Status</th><th scope="col">Trigger</th>
          <th scope="col">Schedule</th><th scope="col">Last run</th>
          <th scope="col" className="numeric">Operations this month</th><th scope="col"><span className="visually-hidden">Actions</span></th>
        </tr>
      </thead>
      <tbody>{rows.map(children)}</tbody>
    </table>
  );
}

/** `/scenarios`: every scenario of the account, to create, find, switch on and off, rename, copy and delete. */
export function ScenarioListPage() {
  useTitle("Scenarios");
  const searchId = useId();
  const scenarios = useScenarios();
  const create = useCreateScenario();
  const save = useSaveScenario();
  const remove = useDeleteScenario();
  const setActive = useSetActive();
  const [query, setQuery] = useState("");
  const [creating, setCreating] = useState(false);
  const [renaming, setRenaming] = useState<Scenario | null>(null);
  const [deleting, setDeleting] = useState<Scenario | null>(null);
  const all = scenarios.data ?? [];
  const shown = all.filter((s) => matchesSearch(s.name, query));
  const busyId = setActive.isPending ? setActive.variables?.id : null;

  const duplicate = (s: Scenario) => {
    const name = copyName(s.name, all.map((x) => x.name));
    create.mutate({ ...s.definition, name });
  };

  return (
    <section className="page">
      <div className="page-head">
        <h1>Scenarios</h1>
        <button type="button" className="button primary" onClick={() => { create.reset(); setCreating(true); }}>
          Create a new scenario
        </button>
      </div>
      <ErrorAlert error={setActive.error ?? (creating ? null : create.error)} />
      {scenarios.isPending && <Loading label="Loading scenarios…" />}
      <ErrorAlert error={scenarios.error} />
      {scenarios.isSuccess && all.length === 0 && <EmptyState />}
      {all.length > 0 && (
        <>
          <div className="toolbar">
            <label htmlFor={searchId} className="visually-hidden">Search scenarios</label>
            <input id={searchId} type="search" className="search" placeholder="Search scenarios"
              value={query} onChange={(e) => setQuery(e.target.value)} />
            <span className="muted" role="status">{shown.length} of {all.length} scenarios</span>
          </div>
          {shown.length === 0
            ? <p className="empty-search">No scenario matches “{query}”.</p>
            : (
              <ScenarioTable rows={shown}>
                {(s) => (
                  <ScenarioRow key={s.id} scenario={s} busy={busyId === s.id}
                    onActive={(active) => setActive.mutate({ id: s.id, active })}
                    onRename={() => { save.reset(); setRenaming(s); }}
                    onDuplicate={() => duplicate(s)}
                    onDelete={() => { remove.reset(); setDeleting(s); }} />
                )}
              </ScenarioTable>
            )}
        </>
      )}
      <NameDialog title="Create a new scenario" submitLabel="Create" open={creating} initial="" busy={create.isPending}
        error={create.error} onClose={() => setCreating(false)}
        onSubmit={(name) => create.mutate(newDefinition(name), { onSuccess: () => setCreating(false) })} />
      <NameDialog title="Rename scenario" submitLabel="Save" open={renaming !== null} initial={renaming?.name ?? ""}
        busy={save.isPending} error={save.error} onClose={() => setRenaming(null)}
        onSubmit={(name) => renaming && save.mutate(
          { id: renaming.id, definition: { ...renaming.definition, name } }, { onSuccess: () => setRenaming(null) })} />
      <DeleteDialog name={deleting?.name ?? null} busy={remove.isPending} error={remove.error}
        onClose={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })} />
    </section>
  );
}
