import { useState } from "react";
import { useSearchParams } from "react-router";
import { ErrorAlert, Loading } from "@/components/ui/Alert";
import { useTitle } from "@/components/ui/PageTitle";
import { errorMessage } from "@/lib/errors";
import {
  goToAuthorization, useAuthorize, useConnections, useConnectionTypes, useDeleteConnection, useTestConnection,
  type Connection,
} from "../api/connections";
import { oauthOutcome, sortConnections, testOutcome, typeLabel, type Outcome } from "../list";
import { AddConnectionDialog } from "./AddConnectionDialog";
import { ConnectionRow } from "./ConnectionRow";
import { DeleteConnectionDialog } from "./DeleteConnectionDialog";
import { EditConnectionDialog } from "./EditConnectionDialog";

function EmptyState() {
  return (
    <div className="empty">
      <h2>No connections yet</h2>
      <p>
        A connection holds what a scenario needs to reach a service: an API key, a password, an OAuth 2.0
        authorization. Start with “Add connection”. Secrets are encrypted and never shown again.
      </p>
    </div>
  );
}

function OutcomeMessage({ outcome }: { outcome: Outcome | null }) {
  if (!outcome) return null;
  return outcome.ok
    ? <p role="status" className="notice ok-notice">{outcome.text}</p>
    : <p role="alert" className="alert">{outcome.text}</p>;
}

/** `/connections`: the account's connections by type and name, to add, test, connect, edit and delete. */
export function ConnectionsPage() {
  useTitle("Connections");
  const [params, setParams] = useSearchParams();
  const connections = useConnections();
  const catalogue = useConnectionTypes();
  const test = useTestConnection();
  const authorize = useAuthorize();
  const remove = useDeleteConnection();
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<Connection | null>(null);
  const [deleting, setDeleting] = useState<Connection | null>(null);
  const [said, setSaid] = useState<Outcome | null>(null);
  const types = catalogue.data ?? [];
  const all = sortConnections(connections.data ?? [], types);
  const loading = connections.isPending || catalogue.isPending;
  const outcome = said ?? (loading ? null : oauthOutcome(params, connections.data));
  const typeOf = (key: string) => types.find((t) => t.key === key) ?? null;
  const busyId = test.isPending ? test.variables : authorize.isPending ? authorize.variables : null;

  const say = (next: Outcome | null) => {
    setSaid(next);
    if (params.has("oauth")) setParams({}, { replace: true });
  };
  const runTest = (c: Connection) => {
    say(null);
    test.mutate(c.id, {
      onSuccess: (result) => say(testOutcome(c.name, result)),
      onError: (error) => say({ ok: false, text: `“${c.name}” could not be tested: ${errorMessage(error)}` }),
    });
  };
  const connect = (c: Connection) => {
    say(null);
    authorize.mutate(c.id, { onSuccess: (answer) => goToAuthorization(answer.authorize_url) });
  };

  return (
    <section className="page connections-page">
      <div className="page-head">
        <h1>Connections</h1>
        <button type="button" className="button primary" onClick={() => { say(null); setAdding(true); }}>
          Add connection
        </button>
      </div>
      <OutcomeMessage outcome={outcome} />
      <ErrorAlert error={authorize.error ?? (deleting ? null : remove.error)} />
      {loading && <Loading label="Loading connections…" />}
      <ErrorAlert error={connections.error ?? catalogue.error} />
      {!loading && connections.isSuccess && all.length === 0 && <EmptyState />}
      {!loading && all.length > 0 && (
        <table className="table cards connections">
          <caption className="visually-hidden">Your connections, by type and name</caption>
          <thead>
            <tr>
              <th scope="col">Name</th><th scope="col">Type</th><th scope="col">Status</th>
              <th scope="col"><span className="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {all.map((c) => (
              <ConnectionRow key={c.id} connection={c} typeText={typeLabel(c.type, types)}
                oauth={typeOf(c.type)?.oauth2 ?? c.authorized != null} busy={busyId === c.id}
                onTest={() => runTest(c)} onConnect={() => connect(c)}
                onEdit={() => { say(null); setEditing(c); }}
                onDelete={() => { remove.reset(); setDeleting(c); }} />
            ))}
          </tbody>
        </table>
      )}
      <AddConnectionDialog open={adding} onClose={() => setAdding(false)}
        onCreated={(created) => {
          setAdding(false);
          if (created.authorize_url) goToAuthorization(created.authorize_url);
          else say({ ok: true, text: `“${created.name}” was added.` });
        }} />
      <EditConnectionDialog connection={editing} type={editing ? typeOf(editing.type) : null}
        onClose={() => setEditing(null)}
        onSaved={(saved) => { setEditing(null); say({ ok: true, text: `“${saved.name}” was saved.` }); }} />
      <DeleteConnectionDialog name={deleting?.name ?? null} oauth={deleting?.authorized != null}
        busy={remove.isPending} error={remove.error} onClose={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate(deleting.id, {
          onSuccess: () => { say({ ok: true, text: `“${deleting.name}” and its credentials were deleted.` }); setDeleting(null); },
        })} />
    </section>
  );
}
