import { Link } from "react-router";
import { ErrorAlert, Loading } from "@/components/ui/Alert";
import { useTitle } from "@/components/ui/PageTitle";
import { durationText } from "@/lib/format";
import { usePublicSettings, type PublicSettings } from "@/lib/public-settings";

function days(count: number): string {
  return `${count} ${count === 1 ? "day" : "days"}`;
}

function Retention({ settings }: { settings: PublicSettings }) {
  const rows: [string, number][] = [
    ["Webhook gateway logs (every received request and its answer)", settings.retention_gateway_logs_days],
    ["Incomplete executions", settings.retention_incomplete_days],
    ["Notifications", settings.retention_notifications_days],
    ["Activity stream (the per-operation log with its data)", settings.retention_activity_days],
    ["Run information (status, times, operations, error)", settings.retention_runs_days],
    ["Access log (address, browser, language and page of every request)", settings.retention_access_log_days],
  ];
  return (
    <table className="table compact">
      <caption>How long we keep what your scenarios record</caption>
      <thead><tr><th scope="col">What</th><th scope="col">Kept for</th></tr></thead>
      <tbody>
        {rows.map(([what, count]) => (
          <tr key={what}><th scope="row">{what}</th><td>{days(count)}</td></tr>
        ))}
      </tbody>
    </table>
  );
}

/** The privacy policy: what is kept, how long, and when a session ends, as this server is configured. */
export function PrivacyPage() {
  useTitle("Privacy policy");
  const settings = usePublicSettings();
  return (
    <main className="page narrow" id="main">
      <p className="brand" aria-hidden="true">Scenarist</p>
      <h1>Privacy policy</h1>
      <p>
        Scenarist keeps the data your scenarios need to run and to show you what they did. Your account holds only
        your e-mail address and a hash of your password. Connection credentials are stored encrypted and are never
        shown again. A scenario marked confidential stores no payload data in any log.
      </p>
      <h2>Retention</h2>
      {settings.isPending && <Loading label="Loading the retention windows…" />}
      <ErrorAlert error={settings.error} />
      {settings.data && (
        <>
          <Retention settings={settings.data} />
          <h2>Sessions</h2>
          <p>
            A login session ends after {durationText(settings.data.session_idle_seconds)} without activity, and
            after {durationText(settings.data.session_max_seconds)} in any case. The session cookie holds only a
            random identifier. If you ask us to remember your e-mail, a separate cookie holds only that address.
          </p>
        </>
      )}
      <h2>Your rights</h2>
      <p>
        You can export every personal datum of your account, and delete your account with all its data, from the
        Account page.
      </p>
      <p><Link to="/scenarios">Back to Scenarist</Link></p>
    </main>
  );
}
