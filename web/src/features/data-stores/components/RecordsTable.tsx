import { ErrorAlert } from "@/components/ui/Alert";
import { Dialog } from "@/components/ui/Dialog";
import { dateTimeText } from "@/lib/format";
import type { DataRecord, DataStore } from "../api/data-stores";
import { cellText } from "../records";

interface RecordsTableProps {
  store: DataStore;
  rows: DataRecord[];
  onEdit: (record: DataRecord) => void;
  onDelete: (record: DataRecord) => void;
}

/** One page of records: the key, a column per field, when it changed, Edit and Delete. */
export function RecordsTable({ store, rows, onEdit, onDelete }: RecordsTableProps) {
  return (
    <div className="table-scroll" role="region" aria-label="Records table" tabIndex={0}>
      <table className="table cards records-table">
        <caption className="visually-hidden">Records of {store.name}</caption>
        <thead>
          <tr>
            <th scope="col">Key</th>
            {store.structure.map((f) => <th scope="col" key={f.name}>{f.label ?? f.name}</th>)}
            <th scope="col">Changed</th>
            <th scope="col"><span className="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          {rows.map((record) => (
            <tr key={record.key}>
              <th scope="row" data-label="Key"><code className="record-key">{record.key}</code></th>
              {store.structure.map((f) => {
                const text = cellText(f.type, record.data[f.name], (iso) => dateTimeText(iso));
                return (
                  <td key={f.name} data-label={f.label ?? f.name} className="value-cell">
                    {text === "" ? <span className="muted">No value</span> : text}
                  </td>
                );
              })}
              <td data-label="Changed">{dateTimeText(record.updated_at ?? record.created_at)}</td>
              <td data-label="Actions" className="row-actions">
                <button type="button" className="button small ghost" aria-label={`Edit record ${record.key}`}
                  onClick={() => onEdit(record)}>Edit</button>
                <button type="button" className="button small ghost danger-text" aria-label={`Delete record ${record.key}`}
                  onClick={() => onDelete(record)}>Delete</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface DeleteRecordProps {
  record: DataRecord | null;
  busy: boolean;
  error: unknown;
  onConfirm: () => void;
  onClose: () => void;
}

/** "Delete record": asks before a record goes. */
export function DeleteRecordDialog({ record, busy, error, onConfirm, onClose }: DeleteRecordProps) {
  return (
    <Dialog title="Delete record" open={record !== null} onClose={onClose}>
      <p>Delete the record “{record?.key}”? This cannot be undone.</p>
      <ErrorAlert error={error} />
      <div className="dialog-actions">
        <button type="button" className="button ghost" onClick={onClose} autoFocus>Cancel</button>
        <button type="button" className="button danger" disabled={busy} onClick={onConfirm}>Delete</button>
      </div>
    </Dialog>
  );
}
