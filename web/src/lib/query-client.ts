import { QueryClient } from "@tanstack/react-query";
import { ApiError } from "./errors";

/** Server state lives here. No timer-driven requests: no polling, no refetch on focus or reconnect,
 * so that an idle user sends nothing and the session's idle timeout means what it says. */
export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        refetchOnReconnect: false,
        refetchInterval: false,
        retry: (failures, error) => !(error instanceof ApiError) && failures < 1,
      },
      mutations: { retry: false },
    },
  });
}
