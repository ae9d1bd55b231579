import { Navigate, Outlet, useLocation } from "react-router";
import { ErrorAlert, Loading } from "@/components/ui/Alert";
import { sessionJustEnded } from "@/lib/session";
import { useMe } from "../api/auth";

/** Renders the child routes for a logged-in account; otherwise sends the user to the login page. */
export function RequireAuth() {
  const me = useMe();
  const location = useLocation();
  if (me.isPending || (me.data === null && me.isFetching)) return <main className="page" id="main"><Loading label="Loading…" /></main>;
  if (me.isError) return <main className="page" id="main"><ErrorAlert error={me.error} /></main>;
  if (me.data === null) {
    const to = sessionJustEnded() ? "/login?ended=idle" : "/login";
    return <Navigate to={to} replace state={{ from: location.pathname + location.search }} />;
  }
  return <Outlet context={me.data} />;
}
