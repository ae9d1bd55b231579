/** Scenarios on the server: list, create, rename, duplicate, delete, (de)activate, the last run. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { client, unwrap } from "@/lib/api-client";
import type { components } from "@/lib/api/schema";

export type Scenario = components["schemas"]["ScenarioPublic"];
export type Definition = Scenario["definition"];
type DefinitionBody = components["schemas"]["Scenario"];

/** A definition read back from the server is one it validated, so it is a valid body again. */
function asBody(definition: Definition): DefinitionBody {
  return definition as unknown as DefinitionBody;
}

export interface ExecutionSummary {
  id: string;
  status: string;
  started_at: string | null;
  finished_at: string | null;
  operations: number;
}

const LIST_KEY = ["scenarios"] as const;

/** A new scenario's definition: a webhook trigger and nothing else yet. */
export function newDefinition(name: string): Definition {
  return {
    name,
    trigger: { id: "hook", module: "webhooks.custom", params: {} },
    schedule: { type: "immediately" },
    flow: [],
  };
}

export function useScenarios() {
  return useQuery({ queryKey: LIST_KEY, queryFn: () => unwrap(client.GET("/api/v1/scenarios")) });
}

export function useScenario(id: string) {
  return useQuery({
    queryKey: ["scenarios", id],
    queryFn: () => unwrap(client.GET("/api/v1/scenarios/{scenario_id}", { params: { path: { scenario_id: id } } })),
  });
}

/** The newest execution of a scenario, or null when it never ran. */
export function useLastRun(id: string) {
  return useQuery({
    queryKey: ["scenarios", id, "last-run"],
    queryFn: async () => {
      const runs = await unwrap(client.GET("/api/v1/scenarios/{scenario_id}/executions", {
        params: { path: { scenario_id: id }, query: { limit: 1 } },
      }));
      return (runs[0] as ExecutionSummary | undefined) ?? null;
    },
  });
}

/** A mutation that refetches the list afterwards (and the scenario itself when it names one), but not
 * every row's last run. */
function useInvalidating<A, R>(mutationFn: (args: A) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: async (_data, args) => {
      const id = typeof args === "string" ? args : (args as { id?: unknown }).id;
      if (typeof id === "string") queryClient.removeQueries({ queryKey: ["scenarios", id], exact: true });
      await queryClient.invalidateQueries({ queryKey: LIST_KEY, exact: true });
    },
  });
}

export function useCreateScenario() {
  return useInvalidating((definition: Definition) => unwrap(client.POST("/api/v1/scenarios", { body: asBody(definition) })));
}

export function useSaveScenario() {
  return useInvalidating(({ id, definition }: { id: string; definition: Definition }) =>
    unwrap(client.PUT("/api/v1/scenarios/{scenario_id}", { params: { path: { scenario_id: id } }, body: asBody(definition) })));
}

export function useDeleteScenario() {
  return useInvalidating((id: string) =>
    unwrap(client.DELETE("/api/v1/scenarios/{scenario_id}", { params: { path: { scenario_id: id } } })));
}

export function useSetActive() {
  return useInvalidating(({ id, active }: { id: string; active: boolean }) => {
    const params = { params: { path: { scenario_id: id } } };
    return unwrap(active
      ? client.POST("/api/v1/scenarios/{scenario_id}/activate", params)
      : client.POST("/api/v1/scenarios/{scenario_id}/deactivate", params));
  });
}
