import { useMemo, useState } from "react";
import { Link } from "react-router";
import { ErrorAlert, Loading } from "@/components/ui/Alert";
import { useTitle } from "@/components/ui/PageTitle";
import { useCreateDataStore, useDataStores, useDeleteDataStore, type DataStore } from "../api/data-stores";
import { emptyDraft, TYPE_LABELS } from "../structure";
import { DeleteStoreDialog } from "./DeleteStoreDialog";
import { StoreFormDialog } from "./StoreFormDialog";
import { StoreUsage } from "./Usage";

function EmptyState() {
  return (
    <div className="empty">
      <h2>No data stores yet</h2>
      <p>
        A data store keeps records between runs of your scenarios: orders already seen, a counter, a list to look
        things up in. Scenarios add, find and change records with the data store steps. Start with “Create a data
        store”: give it a name and the fields each record has.
      </p>
    </div>
  );
}

function fieldsText(store: DataStore): string {
  return store.structure.map((f) => `${f.label ?? f.name} (${TYPE_LABELS[f.type].toLowerCase()})`).join(", ");
}

function StoreRow({ store, onDelete }: { store: DataStore; onDelete: () => void }) {
  return (
    <tr>
      <th scope="row" data-label="Name"><span className="store-name">{store.name}</span></th>
      <td data-label="Fields" className="fields-cell">{fieldsText(store)}</td>
      <td data-label="Usage"><StoreUsage store={store} of={store.name} /></td>
      <td data-label="Actions" className="row-actions">
        <Link to={`/data-stores/${encodeURIComponent(store.id)}`} className="button small" aria-label={`Open ${store.name}`}>
          Open
        </Link>
        <button type="button" className="button small ghost danger-text" aria-label={`Delete ${store.name}`} onClick={onDelete}>
          Delete
        </button>
      </td>
    </tr>
  );
}

/** `/data-stores`: the account's data stores with their fields and how full they are; create and delete. */
export function DataStoreListPage() {
  useTitle("Data stores");
  const stores = useDataStores();
  const create = useCreateDataStore();
  const remove = useDeleteDataStore();
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<DataStore | null>(null);
  const initial = useMemo(() => emptyDraft(), [creating]); // a fresh form each time it opens
  const all = stores.data ?? [];
  return (
    <section className="page">
      <div className="page-head">
        <h1>Data stores</h1>
        <button type="button" className="button primary" onClick={() => { create.reset(); setCreating(true); }}>
          Create a data store
        </button>
      </div>
      {stores.isPending && <Loading label="Loading data stores…" />}
      <ErrorAlert error={stores.error} />
      {stores.isSuccess && all.length === 0 && <EmptyState />}
      {all.length > 0 && (
        <table className="table cards data-stores">
          <caption className="visually-hidden">Your data stores</caption>
          <thead>
            <tr>
              <th scope="col">Name</th><th scope="col">Fields</th><th scope="col">Usage</th>
              <th scope="col"><span className="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {all.map((store) => (
              <StoreRow key={store.id} store={store} onDelete={() => { remove.reset(); setDeleting(store); }} />
            ))}
          </tbody>
        </table>
      )}
      <StoreFormDialog title="Create a data store" submitLabel="Create" open={creating} initial={initial}
        busy={create.isPending} error={create.error} onClose={() => setCreating(false)}
        onSubmit={(body) => create.mutate(body, { onSuccess: () => setCreating(false) })} />
      <DeleteStoreDialog store={deleting} busy={remove.isPending} error={remove.error} onClose={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })} />
    </section>
  );
}
