/** The app catalogue (`GET /apps`) as the editor needs it: modules with their params schema and connection
 * types (one query shared with the canvas's labels), and the account's connections. */
import { useQuery } from "@tanstack/react-query";
import { client, unwrap } from "@/lib/api-client";

export interface ModuleInfo {
  key: string;
  label: string;
  description: string;
  kind: string;
  connectionTypes: string[];
  params: unknown;
  appKey: string;
  appLabel: string;
}

interface RawApp {
  key?: unknown;
  label?: unknown;
  modules?: unknown;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

export function modulesOf(apps: unknown): ModuleInfo[] {
  if (!Array.isArray(apps)) return [];
  return (apps as RawApp[]).flatMap((app) => (Array.isArray(app.modules) ? app.modules : []).map((m: Record<string, unknown>) => ({
    key: text(m.key), label: text(m.label), description: text(m.description), kind: text(m.kind),
    connectionTypes: Array.isArray(m.connection_types) ? m.connection_types.filter((t): t is string => typeof t === "string") : [],
    params: m.params, appKey: text(app.key), appLabel: text(app.label),
  }))).filter((m) => m.key !== "");
}

export function useCatalogue() {
  return useQuery({
    queryKey: ["apps"],
    queryFn: () => unwrap(client.GET("/api/v1/apps")),
    select: modulesOf,
    staleTime: Infinity,
  });
}

export interface Problem {
  path: string;
  message: string;
}

/** Every problem a save would refuse (`POST /scenarios/validate`). */
export async function validateDefinition(definition: unknown): Promise<Problem[]> {
  const answer = await unwrap(client.POST("/api/v1/scenarios/validate", { body: definition as Record<string, never> }));
  return answer.problems;
}

/** A manual run of the saved scenario, waiting for its end (`POST /scenarios/{id}/run?wait=true`). */
export async function runOnce(scenarioId: string, input: unknown): Promise<unknown> {
  return unwrap(client.POST("/api/v1/scenarios/{scenario_id}/run", {
    params: { path: { scenario_id: scenarioId }, query: { wait: true } }, body: { input: input as never },
  }));
}

/** `PUT /scenarios/{id}`: the saved scenario (422 with the problem's `path` otherwise). */
export async function saveDefinition(scenarioId: string, definition: unknown): Promise<unknown> {
  return unwrap(client.PUT("/api/v1/scenarios/{scenario_id}", {
    params: { path: { scenario_id: scenarioId } }, body: definition as never,
  }));
}
