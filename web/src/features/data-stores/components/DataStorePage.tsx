import { useEffect, useMemo, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { ErrorAlert, Loading } from "@/components/ui/Alert";
import { useTitle } from "@/components/ui/PageTitle";
import {
  PAGE_SIZE, useDataStore, useDeleteDataStore, useDeleteRecord, useRecords, useUpdateDataStore, useWriteRecord,
  type DataRecord, type DataStore,
} from "../api/data-stores";
import { pageOf } from "../records";
import { draftOf, TYPE_LABELS, type FieldSpec } from "../structure";
import { DeleteStoreDialog } from "./DeleteStoreDialog";
import { RecordDialog } from "./RecordDialog";
import { DeleteRecordDialog, RecordsTable } from "./RecordsTable";
import { StoreFormDialog } from "./StoreFormDialog";
import { StoreUsage } from "./Usage";

const CHANGE_NOTE = "While the store holds records, a change must fit every record: add optional fields, drop "
  + "“required”, or change a type to Any.";

function Structure({ fields }: { fields: FieldSpec[] }) {
  return (
    <ul className="structure-list">
      {fields.map((f) => (
        <li key={f.name}>
          <code>{f.name}</code>{f.label ? ` “${f.label}”` : ""} <span className="muted">{TYPE_LABELS[f.type]}
            {f.required ? ", required" : ""}</span>
        </li>
      ))}
    </ul>
  );
}

/** The records of one store, page by page (`after` the last key of the page before). */
function Records({ store }: { store: DataStore }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  const records = useRecords(store.id, after);
  const write = useWriteRecord();
  const remove = useDeleteRecord();
  const [editing, setEditing] = useState<DataRecord | "new" | null>(null);
  const [deleting, setDeleting] = useState<DataRecord | null>(null);
  const page = pageOf(records.data ?? [], PAGE_SIZE);
  const pageNumber = cursors.length;
  useEffect(() => { // the last record of a later page deleted: back to the page before
    if (records.isSuccess && page.rows.length === 0 && cursors.length > 1) setCursors((c) => c.slice(0, -1));
  }, [records.isSuccess, page.rows.length, cursors.length]);

  const first = (pageNumber - 1) * PAGE_SIZE + 1;
  const shown = page.rows.length > 0 ? `Records ${first} to ${first + page.rows.length - 1}` : "No records";
  const open = (record: DataRecord | "new") => { write.reset(); setEditing(record); };
  return (
    <section className="records" aria-labelledby="records-title">
      <div className="section-head">
        <h2 id="records-title">Records</h2>
        <button type="button" className="button primary" onClick={() => open("new")}>Add record</button>
      </div>
      {records.isPending && <Loading label="Loading records…" />}
      <ErrorAlert error={records.error ?? remove.error} />
      {records.isSuccess && page.rows.length === 0 && pageNumber === 1 && (
        <p className="empty-search">No records yet. Add one here, or let a scenario add them.</p>
      )}
      {page.rows.length > 0 && (
        <RecordsTable store={store} rows={page.rows} onEdit={open}
          onDelete={(record) => { remove.reset(); setDeleting(record); }} />
      )}
      {(pageNumber > 1 || page.next !== null) && (
        <nav className="pager" aria-label="Record pages">
          <button type="button" className="button small" disabled={pageNumber === 1}
            onClick={() => setCursors((c) => c.slice(0, -1))}>Previous page</button>
          <span role="status" className="muted">Page {pageNumber}: {shown.toLowerCase()}</span>
          <button type="button" className="button small" disabled={page.next === null}
            onClick={() => page.next !== null && setCursors((c) => [...c, page.next])}>Next page</button>
        </nav>
      )}
      <RecordDialog structure={store.structure} record={editing === "new" ? null : editing} open={editing !== null}
        busy={write.isPending} error={write.error} onClose={() => setEditing(null)}
        onSubmit={(key, data) => write.mutate({ storeId: store.id, key, data, isNew: editing === "new" },
          { onSuccess: () => setEditing(null) })} />
      <DeleteRecordDialog record={deleting} busy={remove.isPending} error={remove.error} onClose={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate({ storeId: store.id, key: deleting.key },
          { onSuccess: () => setDeleting(null) })} />
    </section>
  );
}

/** `/data-stores/{id}`: one store: how full it is, its fields (changed within what its records allow), its
 * records page by page (add, edit, delete), and deleting it. */
export function DataStorePage() {
  const { storeId = "" } = useParams();
  const navigate = useNavigate();
  const store = useDataStore(storeId);
  const update = useUpdateDataStore();
  const remove = useDeleteDataStore();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  useTitle(store.data?.name ?? "Data store");
  const data = store.data;
  const initial = useMemo(() => (data ? draftOf(data) : null), [data, editing]); // a fresh form each time it opens

  return (
    <section className="page data-store-page">
      <p className="back"><Link to="/data-stores">All data stores</Link></p>
      {store.isPending && <Loading label="Loading the data store…" />}
      <ErrorAlert error={store.error} />
      {data && (
        <>
          <div className="page-head">
            <h1>{data.name}</h1>
            <div className="actions">
              <button type="button" className="button" onClick={() => { update.reset(); setEditing(true); }}>
                Edit data store
              </button>
              <button type="button" className="button ghost danger-text" onClick={() => { remove.reset(); setDeleting(true); }}>
                Delete data store
              </button>
            </div>
          </div>
          <div className="store-summary">
            <section className="card section" aria-labelledby="usage-title">
              <h2 id="usage-title">Usage</h2>
              <StoreUsage store={data} />
            </section>
            <section className="card section" aria-labelledby="fields-title">
              <h2 id="fields-title">Fields</h2>
              <Structure fields={data.structure} />
            </section>
          </div>
          <Records key={data.id} store={data} />
          {initial && (
            <StoreFormDialog title="Edit data store" submitLabel="Save" open={editing} initial={initial}
              note={data.record_count > 0 ? CHANGE_NOTE : undefined} limitHint="Leave empty to keep the limit as it is." busy={update.isPending} error={update.error}
              onClose={() => setEditing(false)}
              onSubmit={(body) => update.mutate({ id: data.id, body }, { onSuccess: () => setEditing(false) })} />
          )}
          <DeleteStoreDialog store={deleting ? data : null} busy={remove.isPending} error={remove.error}
            onClose={() => setDeleting(false)}
            onConfirm={() => remove.mutate(data.id, { onSuccess: () => { void navigate("/data-stores"); } })} />
        </>
      )}
    </section>
  );
}

