/** A scenario's executions, newest first, a page at a time (`before` the oldest one shown). */
import { useInfiniteQuery } from "@tanstack/react-query";
import { client, unwrap } from "@/lib/api-client";
import type { RunStatus } from "../history";

export const PAGE_SIZE = 20;

export interface ExecutionRow {
  id: string;
  status: string;
  started_at: string | null;
  finished_at: string | null;
  operations: number;
  error?: { type?: string; message?: string; step?: string } | null;
}

export function useHistory(scenarioId: string, status: RunStatus | null) {
  return useInfiniteQuery({
    queryKey: ["scenarios", scenarioId, "executions", status],
    queryFn: async ({ pageParam }) => (await unwrap(client.GET("/api/v1/scenarios/{scenario_id}/executions", {
      params: { path: { scenario_id: scenarioId }, query: { limit: PAGE_SIZE, status, before: pageParam } },
    }))) as unknown as ExecutionRow[],
    initialPageParam: null as string | null,
    getNextPageParam: (last) => (last.length === PAGE_SIZE ? (last.at(-1)?.id ?? null) : null),
    staleTime: 0, // runs happen behind the page's back: fetched again on every visit (never on a timer)
  });
}
