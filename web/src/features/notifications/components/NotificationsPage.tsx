import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { ErrorAlert, Loading } from "@/components/ui/Alert";
import { useTitle } from "@/components/ui/PageTitle";
import { client, unwrap } from "@/lib/api-client";
import { dateTimeText } from "@/lib/format";
import { usePublicSettings } from "@/lib/public-settings";
import { useMarkRead, useNotifications, type Notification } from "../api/notifications";
import { kindText } from "../unread";

function useScenarioNames() {
  return useQuery({
    queryKey: ["scenarios"],
    queryFn: () => unwrap(client.GET("/api/v1/scenarios")),
    select: (list) => new Map(list.map((s) => [s.id, s.name])),
    staleTime: 0,
  });
}

interface ItemProps {
  item: Notification;
  scenarioName: string | undefined;
  busy: boolean;
  onRead: () => void;
}

function NotificationItem({ item, scenarioName, busy, onRead }: ItemProps) {
  return (
    <li className={`notification card${item.unread ? " unread" : ""}`}>
      <div className="notification-head">
        <span className="badge">{kindText(item.kind)}</span>
        {item.unread && <span className="badge status-unread">Unread</span>}
        <span className="muted">{dateTimeText(item.created_at)}</span>
      </div>
      <p className="notification-message">{item.message}</p>
      <p className="notification-links">
        {item.scenario_id && (
          <Link to={`/scenarios/${encodeURIComponent(item.scenario_id)}`}>{scenarioName ?? "Open the scenario"}</Link>
        )}
        {typeof item.data.incomplete_id === "string" && <Link to="/incomplete-executions">Incomplete executions</Link>}
        {item.unread && (
          <button type="button" className="button small" disabled={busy} aria-label={`Mark as read: ${item.message}`}
            onClick={onRead}>Mark as read</button>
        )}
      </p>
    </li>
  );
}

/** `/notifications`: what the server told the account, newest first; mark one or all as read. */
export function NotificationsPage() {
  useTitle("Notifications");
  const list = useNotifications();
  const names = useScenarioNames();
  const settings = usePublicSettings();
  const mark = useMarkRead();
  const items = list.data ?? [];
  const unread = items.filter((n) => n.unread).map((n) => n.id);
  return (
    <section className="page notifications-page">
      <div className="page-head">
        <h1>Notifications</h1>
        {items.length > 0 && (
          <button type="button" className="button" disabled={unread.length === 0 || mark.isPending}
            onClick={() => mark.mutate(unread)}>Mark all as read</button>
        )}
      </div>
      {settings.data && (
        <p className="muted">
          Notifications are kept {settings.data.retention_notifications_days}{" "}
          {settings.data.retention_notifications_days === 1 ? "day" : "days"}.
        </p>
      )}
      {list.isPending && <Loading label="Loading notifications…" />}
      <ErrorAlert error={list.error} />
      <ErrorAlert error={mark.error} />
      <p role="status" className="visually-hidden">
        {list.isSuccess ? (unread.length ? `${unread.length} unread` : "Everything is read") : ""}
      </p>
      {list.isSuccess && items.length === 0 && (
        <div className="empty">
          <h2>No notifications</h2>
          <p>Scenarist tells you here when a run stops at a failed step, a scenario is switched off after errors, or
            your operations for the month run out.</p>
        </div>
      )}
      {items.length > 0 && (
        <ul className="notifications" aria-label="Notifications, newest first">
          {items.map((item) => (
            <NotificationItem key={item.id} item={item} busy={mark.isPending}
              scenarioName={item.scenario_id ? names.data?.get(item.scenario_id) : undefined}
              onRead={() => mark.mutate([item.id])} />
          ))}
        </ul>
      )}
    </section>
  );
}
