import { NavLink, Outlet, useOutletContext } from "react-router";
import { LogoutButton } from "@/features/auth";
import { NotificationsLink } from "@/features/notifications";
import type { Me } from "@/features/auth/api/auth";

const LINKS: [string, string][] = [
  ["/scenarios", "Scenarios"],
  ["/connections", "Connections"],
  ["/data-stores", "Data stores"],
  ["/incomplete-executions", "Incomplete executions"],
  ["/notifications", "Notifications"],
  ["/account", "Account"],
];

/** Every page after login: the main navigation, the account and "Log out". */
export function AppLayout() {
  const me = useOutletContext<Me>();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="topbar">
        <span className="brand">Scenarist</span>
        <nav aria-label="Main" className="nav">
          <ul>
            {LINKS.map(([to, label]) => (
              <li key={to}>
                {to === "/notifications"
                  ? <NotificationsLink className="nav-link" />
                  : <NavLink to={to} className="nav-link">{label}</NavLink>}
              </li>
            ))}
          </ul>
        </nav>
        <div className="account">
          <span className="muted account-email">{me.email}</span>
          <LogoutButton />
        </div>
      </header>
      <main id="main" className="content" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
