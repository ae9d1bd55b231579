/** Incomplete executions on the server: the list (with the scenarios' names), retry and delete. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { client, unwrap } from "@/lib/api-client";
import type { RetryOutcome } from "../incomplete";

export interface Incomplete {
  id: string;
  execution_id: string;
  scenario_id: string;
  step: string;
  error: unknown;
  attempts: number;
  next_retry_at: string | null;
  created_at: string;
}

const LIST_KEY = ["incomplete-executions"] as const;

export function useIncompleteExecutions() {
  return useQuery({
    queryKey: LIST_KEY,
    queryFn: async () => (await unwrap(client.GET("/api/v1/incomplete-executions"))) as unknown as Incomplete[],
    staleTime: 0, // runs fail behind the page's back: fetched again on every visit (never on a timer)
  });
}

/** The account's scenarios by id, for their names (the scenario list's own cache entry). */
export function useScenarioNames() {
  return useQuery({
    queryKey: ["scenarios"],
    queryFn: () => unwrap(client.GET("/api/v1/scenarios")),
    select: (list) => new Map(list.map((s) => [s.id, s.name])),
    staleTime: 0, // a scenario may be newer than the list's cached copy
  });
}

async function retryOne(id: string): Promise<RetryOutcome> {
  const answer = await unwrap(client.POST("/api/v1/incomplete-executions/{incomplete_id}/retry", {
    params: { path: { incomplete_id: id }, query: { wait: true } },
  }));
  const status = (answer as { status?: unknown } | undefined)?.status;
  return { status: typeof status === "string" ? status : null };
}

function useRefreshing<A, R>(mutationFn: (args: A) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSettled: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: LIST_KEY }),
        queryClient.invalidateQueries({ queryKey: ["notifications"] }),
      ]);
    },
  });
}

/** Retries each in turn and waits for it: a success removes it from the list, a failure counts one attempt more. */
export function useRetry() {
  return useRefreshing(async (ids: string[]) => {
    const outcomes: RetryOutcome[] = [];
    for (const id of ids) {
      try {
        outcomes.push(await retryOne(id));
      } catch (error) {
        if (ids.length === 1) throw error;
        outcomes.push({ status: null, failed: true });
      }
    }
    return outcomes;
  });
}

export function useDeleteIncomplete() {
  return useRefreshing(async (ids: string[]) => {
    for (const id of ids) {
      await unwrap(client.DELETE("/api/v1/incomplete-executions/{incomplete_id}", {
        params: { path: { incomplete_id: id } },
      }));
    }
  });
}
