import { lazy, Suspense } from "react";
import { createBrowserRouter, Navigate } from "react-router";
import { Loading } from "@/components/ui/Alert";
import { ComingSoon } from "@/components/ui/ComingSoon";
import { AccountPage } from "@/features/account";
import { IncompleteExecutionsPage } from "@/features/executions";
import { LoginPage, RequireAuth, SignupPage } from "@/features/auth";
import { NotificationsPage } from "@/features/notifications";
import { PrivacyPage } from "@/features/privacy/components/PrivacyPage";
import { ScenarioDetailPage, ScenarioListPage } from "@/features/scenarios";
import { AppLayout } from "./layout";
import { NotFound } from "./not-found";

const ScenarioSettingsPage = lazy(() => import("@/features/editor").then((m) => ({ default: m.ScenarioSettingsPage })));

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
            { path: "/scenarios/:scenarioId", element: <ScenarioDetailPage /> },
            { path: "/scenarios/:scenarioId/settings", element: <Suspense fallback={<Loading label="Loading…" />}><ScenarioSettingsPage /></Suspense> },
            { path: "/connections", element: <ComingSoon title="Connections" /> },
            { path: "/data-stores", element: <ComingSoon title="Data stores" /> },
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
