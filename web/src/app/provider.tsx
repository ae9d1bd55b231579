import { QueryClientProvider } from "@tanstack/react-query";
import { useState } from "react";
import { RouterProvider } from "react-router";
import { setCsrfToken, setSessionEndedHandler } from "@/lib/api-client";
import { makeQueryClient } from "@/lib/query-client";
import { forgetSession } from "@/lib/session";
import { ME_KEY } from "@/features/auth";
import { makeRouter } from "./router";

/** Queries that outlive a session: what the login page shows. */
const KEEP = new Set(["public-settings", "remembered"]);

/** The query client and the router; a 401 from an authenticated request sends the user to log in again. */
export function App() {
  const [queryClient] = useState(makeQueryClient);
  const [router] = useState(() => {
    const made = makeRouter();
    setSessionEndedHandler(() => {
      setCsrfToken(null);
      forgetSession();
      void made.navigate("/login?ended=idle", { replace: true }).then(() => {
        queryClient.removeQueries({ predicate: (query) => !KEEP.has(String(query.queryKey[1] ?? query.queryKey[0])) });
        queryClient.setQueryData(ME_KEY, null);
      });
    });
    return made;
  });
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
