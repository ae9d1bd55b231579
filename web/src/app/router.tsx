import { lazy, Suspense, type ReactNode } from "react";
import { createBrowserRouter, Navigate } from "react-router";
import { Loading } from "@/components/ui/Alert";
import { AccountPage } from "@/features/account";
import { ConnectionsPage } from "@/features/connections";
import { DataStoreListPage, DataStorePage } from "@/features/data-stores";
import { IncompleteExecutionsPage } from "@/features/executions";
import { LoginPage, RequireAuth, SignupPage } from "@/features/auth";
import { NotificationsPage } from "@/features/notifications";
import { PrivacyPage } from "@/features/privacy/components/PrivacyPage";
import { ScenarioListPage } from "@/features/scenarios";
import { AppLayout } from "./layout";
import { NotFound } from "./not-found";

// The scenario page (with the canvas) and the history load on first use: the initial bundle stays small.
const ScenarioDetailPage = lazy(() =>
  import("@/features/scenarios/components/ScenarioDetailPage").then((m) => ({ default: m.ScenarioDetailPage })));
const HistoryPage = lazy(() =>
  import("@/features/executions/components/HistoryPage").then((m) => ({ default: m.HistoryPage })));

const ScenarioSettingsPage = lazy(() => import("@/features/editor").then((m) => ({ default: m.ScenarioSettingsPage })));

function Deferred({ children }: { children: ReactNode }) {
  return <Suspense fallback={<Loading label="Loading the page…" />}>{children}</Suspense>;
}

export function makeRouter() {
  return createBrowserRouter([
    { path: "/login", element: <LoginPage /> },
    { path: "/signup", element: <SignupPage /> },
    { path: "/privacy", element: <PrivacyPage /> },
    {
      element: <RequireAuth />,
      children: [
        {
          element: <AppLayout />,
          children: [
            { index: true, element: <Navigate to="/scenarios" replace /> },
            { path: "/scenarios", element: <ScenarioListPage /> },
            { path: "/scenarios/:scenarioId", element: <Deferred><ScenarioDetailPage /></Deferred> },
            { path: "/scenarios/:scenarioId/history", element: <Deferred><HistoryPage /></Deferred> },
            { path: "/scenarios/:scenarioId/settings", element: <Deferred><ScenarioSettingsPage /></Deferred> },
            { path: "/connections", element: <ConnectionsPage /> },
            { path: "/data-stores", element: <DataStoreListPage /> },
            { path: "/data-stores/:storeId", element: <DataStorePage /> },
            { path: "/incomplete-executions", element: <IncompleteExecutionsPage /> },
            { path: "/notifications", element: <NotificationsPage /> },
            { path: "/account", element: <AccountPage /> },
            { path: "*", element: <NotFound /> },
          ],
        },
      ],
    },
  ]);
}
