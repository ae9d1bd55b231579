/** One execution with its log (`GET /executions/{id}`), fetched on each visit and never on a timer. */
import { useQuery } from "@tanstack/react-query";
import { client, unwrap } from "@/lib/api-client";
import type { Execution } from "../run-data";

export function useExecution(id: string | null) {
  return useQuery({
    queryKey: ["executions", id],
    queryFn: async () => (await unwrap(client.GET("/api/v1/executions/{execution_id}", {
      params: { path: { execution_id: id ?? "" } },
    }))) as unknown as Execution,
    enabled: id !== null,
    staleTime: 0,
  });
}
