import { useEffect, useRef } from "react";
import { NavLink, useLocation } from "react-router";
import { useUnreadCount } from "../api/notifications";
import { unreadText } from "../unread";

/** The navigation link "Notifications", followed by the unread count ("Notifications 2 unread"). The count is
 * fetched again on each navigation and after actions, never on a timer. */
export function NotificationsLink({ className }: { className: string }) {
  const count = useUnreadCount();
  const { refetch } = count;
  const location = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) { first.current = false; return; }
    void refetch();
  }, [location.pathname, refetch]);
  const text = unreadText(count.data ?? 0);
  return (
    <NavLink to="/notifications" className={className}>
      Notifications
      {text && (
        <>
          {" "}
          <span className="badge nav-count">{count.data}<span className="visually-hidden"> unread</span></span>
        </>
      )}
    </NavLink>
  );
}
