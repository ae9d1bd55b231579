import { createBrowserRouter, Navigate } from "react-router";
import { ComingSoon } from "@/components/ui/ComingSoon";
import { AccountPage } from "@/features/account";
import { ConnectionsPage } from "@/features/connections";
import { IncompleteExecutionsPage } from "@/features/executions";
import { LoginPage, RequireAuth, SignupPage } from "@/features/auth";
import { NotificationsPage } from "@/features/notifications";
import { PrivacyPage } from "@/features/privacy/components/PrivacyPage";
import { ScenarioDetailPage, ScenarioListPage } from "@/features/scenarios";
import { AppLayout } from "./layout";
import { NotFound } from "./not-found";

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
            { path: "/connections", element: <ConnectionsPage /> },
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
