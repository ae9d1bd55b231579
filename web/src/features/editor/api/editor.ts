/** The server state the panels read and write: the scenario, its versions, a schedule's next runs. */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { client, unwrap } from "@/lib/api-client";
import type { components } from "@/lib/api/schema";
import type { DefinitionObject, Schedule } from "../definition";

export type ScenarioPublic = components["schemas"]["ScenarioPublic"];
export type Version = components["schemas"]["VersionPublic"];
type DefinitionBody = components["schemas"]["Scenario"];
type PreviewBody = components["schemas"]["SchedulePreviewRequest"];

export const PAGE = 20;

const scenarioKey = (id: string) => ["scenarios", id] as const;
const versionsKey = (id: string) => ["scenarios", id, "versions"] as const;

export function useScenarioForPanels(id: string) {
  return useQuery({
    queryKey: scenarioKey(id),
    queryFn: () => unwrap(client.GET("/api/v1/scenarios/{scenario_id}", { params: { path: { scenario_id: id } } })),
  });
}

/** Saves the whole definition (PUT); afterwards the scenario, its versions and the list are read again. */
export function useSaveDefinition(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (definition: DefinitionObject) => unwrap(client.PUT("/api/v1/scenarios/{scenario_id}", {
      params: { path: { scenario_id: id } }, body: definition as unknown as DefinitionBody,
    })),
    onSuccess: async (saved) => {
      queryClient.setQueryData(scenarioKey(id), saved);
      await queryClient.invalidateQueries({ queryKey: versionsKey(id) });
      await queryClient.invalidateQueries({ queryKey: ["scenarios"], exact: true });
    },
  });
}

/** The versions, newest first, a page at a time (`before` the last one's number). */
export function useVersions(id: string) {
  return useInfiniteQuery({
    queryKey: versionsKey(id),
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam }) => unwrap(client.GET("/api/v1/scenarios/{scenario_id}/versions", {
      params: { path: { scenario_id: id }, query: { limit: PAGE, ...(pageParam ? { before: pageParam } : {}) } },
    })),
    getNextPageParam: (last: Version[]) => (last.length === PAGE ? last[last.length - 1]?.n : undefined),
  });
}

export function useRestoreVersion(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (n: number) => unwrap(client.POST("/api/v1/scenarios/{scenario_id}/versions/{n}/restore", {
      params: { path: { scenario_id: id, n } },
    })),
    onSuccess: async (saved) => {
      queryClient.setQueryData(scenarioKey(id), saved);
      await queryClient.invalidateQueries({ queryKey: versionsKey(id) });
      await queryClient.invalidateQueries({ queryKey: ["scenarios"], exact: true });
    },
  });
}

/** The next runs of a schedule, asked once per (debounced) schedule the user wrote; null asks nothing. */
export function useSchedulePreview(schedule: Schedule | null) {
  return useQuery({
    queryKey: ["schedule-preview", schedule],
    enabled: schedule !== null,
    staleTime: 60_000,
    retry: false,
    queryFn: () => unwrap(client.POST("/api/v1/schedule/preview", { body: { schedule } as unknown as PreviewBody })),
  });
}
