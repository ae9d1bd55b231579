/** Connections on the server: the types (from `GET /apps`), list, create, change, test, delete, authorize. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { client, unwrap } from "@/lib/api-client";
import type { components } from "@/lib/api/schema";
import type { JsonSchema } from "../schema-form";

export type Connection = components["schemas"]["ConnectionPublic"];
export type CreatedConnection = components["schemas"]["ConnectionCreated"];
export type TestResult = components["schemas"]["TestResult"];

/** A connection type as the catalogue gives it, with its app's label. */
export interface ConnectionType {
  key: string;
  label: string;
  appLabel: string;
  fields: JsonSchema;
  secretFields: string[];
  oauth2: boolean;
}

interface CatalogueApp {
  label?: string;
  connection_types?: { key: string; label: string; fields: JsonSchema; secret_fields?: string[]; oauth2?: boolean }[];
}

const LIST_KEY = ["connections"] as const;

/** Every connection type of every app, sorted by app, then label. */
export function typesOf(catalogue: unknown): ConnectionType[] {
  const apps = Array.isArray(catalogue) ? (catalogue as CatalogueApp[]) : [];
  const types = apps.flatMap((app) => (app.connection_types ?? []).map((t) => ({
    key: t.key, label: t.label, appLabel: app.label ?? t.key, fields: t.fields,
    secretFields: t.secret_fields ?? [], oauth2: t.oauth2 === true,
  })));
  return types.sort((a, b) => a.appLabel.localeCompare(b.appLabel) || a.label.localeCompare(b.label));
}

export function useConnectionTypes() {
  return useQuery({
    queryKey: ["apps"],
    queryFn: async () => typesOf(await unwrap(client.GET("/api/v1/apps"))),
    staleTime: Infinity,
  });
}

export function useConnections() {
  return useQuery({ queryKey: LIST_KEY, queryFn: () => unwrap(client.GET("/api/v1/connections")) });
}

function useInvalidating<A, R>(mutationFn: (args: A) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn, onSuccess: () => queryClient.invalidateQueries({ queryKey: LIST_KEY }) });
}

export interface NewConnection {
  type: string;
  name: string;
  fields: Record<string, unknown>;
}

type CreateBody = components["schemas"]["ConnectionCreate"];

export function useCreateConnection() {
  // The type keys come from the catalogue, the same list the OpenAPI document enumerates.
  return useInvalidating((body: NewConnection) => unwrap(client.POST("/api/v1/connections",
    { body: { ...body, type: body.type as CreateBody["type"] } })));
}

export interface ConnectionChange {
  id: string;
  name: string;
  fields: Record<string, unknown>;
}

export function useUpdateConnection() {
  return useInvalidating(({ id, name, fields }: ConnectionChange) => unwrap(client.PATCH(
    "/api/v1/connections/{connection_id}", { params: { path: { connection_id: id } }, body: { name, fields } })));
}

export function useDeleteConnection() {
  return useInvalidating((id: string) => unwrap(client.DELETE(
    "/api/v1/connections/{connection_id}", { params: { path: { connection_id: id } } })));
}

/** Runs the type's test; the list is fetched again, as a test sets or clears the "refused" flag. */
export function useTestConnection() {
  return useInvalidating((id: string) => unwrap(client.POST(
    "/api/v1/connections/{connection_id}/test", { params: { path: { connection_id: id } } })));
}

/** Starts a new OAuth 2.0 authorization; the answer's `authorize_url` is where the browser goes. */
export function useAuthorize() {
  return useMutation({
    mutationFn: (id: string) => unwrap(client.POST(
      "/api/v1/connections/{connection_id}/authorize", { params: { path: { connection_id: id } } })),
  });
}

/** A full-page navigation to the service's authorization page (it comes back to `/connections`). */
export function goToAuthorization(url: string): void {
  window.location.assign(url);
}
