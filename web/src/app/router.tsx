import { createBrowserRouter, Navigate } from "react-router";
import { ComingSoon } from "@/components/ui/ComingSoon";
import { AccountPage } from "@/features/account";
import { DataStoreListPage, DataStorePage } from "@/features/data-stores";
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
            { path: "/connections", element: <ComingSoon title="Connections" /> },
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
