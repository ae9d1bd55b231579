import type { Connection } from "../api/connections";
import { statusOf } from "../list";

interface ConnectionRowProps {
  connection: Connection;
  typeText: string;
  oauth: boolean;
  busy: boolean;
  onTest: () => void;
  onConnect: () => void;
  onEdit: () => void;
  onDelete: () => void;
}

export function ConnectionRow({ connection, typeText, oauth, busy, onTest, onConnect, onEdit, onDelete }: ConnectionRowProps) {
  const status = statusOf(connection);
  const name = connection.name;
  return (
    <tr>
      <th scope="row" data-label="Name" className="connection-name">{name}</th>
      <td data-label="Type">{typeText}</td>
      <td data-label="Status"><span className={`badge tone-${status.tone}`}>{status.text}</span></td>
      <td data-label="Actions" className="row-actions">
        {oauth && (
          <button type="button" className="button small ghost" aria-label={`${connection.authorized ? "Reconnect" : "Connect"} ${name}`}
            onClick={onConnect} disabled={busy}>
            {connection.authorized ? "Reconnect" : "Connect"}
          </button>
        )}
        <button type="button" className="button small ghost" aria-label={`Test ${name}`} onClick={onTest} disabled={busy}>
          Test
        </button>
        <button type="button" className="button small ghost" aria-label={`Edit ${name}`} onClick={onEdit}>Edit</button>
        <button type="button" className="button small ghost danger-text" aria-label={`Delete ${name}`} onClick={onDelete}>
          Delete
        </button>
      </td>
    </tr>
  );
}
