/** Data stores on the server: list, read, create, change, delete; their records page by page, written, deleted. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { client, unwrap } from "@/lib/api-client";
import type { components } from "@/lib/api/schema";
import { ApiError } from "@/lib/errors";
import { readStructure, type FieldSpec, type StoreBody } from "../structure";

type StorePublic = components["schemas"]["DataStorePublic"];
export type DataStore = Omit<StorePublic, "structure"> & { structure: FieldSpec[] };
export type DataRecord = components["schemas"]["RecordPublic"];

/** Records per page. */
export const PAGE_SIZE = 20;
const ALL = ["data-stores"] as const;

function read(store: StorePublic): DataStore {
  return { ...store, structure: readStructure(store.structure) };
}

export function useDataStores() {
  return useQuery({
    queryKey: ALL,
    queryFn: async () => (await unwrap(client.GET("/api/v1/data-stores"))).map(read),
    staleTime: 0, // scenarios write records behind the page's back: fetched again on every visit
  });
}

export function useDataStore(id: string) {
  return useQuery({
    queryKey: [...ALL, id],
    queryFn: async () => read(await unwrap(client.GET("/api/v1/data-stores/{data_store_id}", {
      params: { path: { data_store_id: id } },
    }))),
    staleTime: 0,
  });
}

/** One page: the records after `after` (from the start when null), one more asked for to know whether a next
 * page exists. */
export function useRecords(id: string, after: string | null) {
  return useQuery({
    queryKey: [...ALL, id, "records", after],
    queryFn: () => unwrap(client.GET("/api/v1/data-stores/{data_store_id}/records", {
      params: { path: { data_store_id: id }, query: { limit: PAGE_SIZE + 1, ...(after === null ? {} : { after }) } },
    })),
    staleTime: 0,
  });
}

/** A mutation after which every data store query is fetched again (sizes and counts change). */
function useRefreshing<A, R>(mutationFn: (args: A) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: async () => { await queryClient.invalidateQueries({ queryKey: ALL }); },
  });
}

export function useCreateDataStore() {
  return useRefreshing(async (body: StoreBody) => read(await unwrap(client.POST("/api/v1/data-stores", { body }))));
}

export function useUpdateDataStore() {
  return useRefreshing(async ({ id, body }: { id: string; body: StoreBody }) =>
    read(await unwrap(client.PUT("/api/v1/data-stores/{data_store_id}", {
      params: { path: { data_store_id: id } }, body,
    }))));
}

export function useDeleteDataStore() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(client.DELETE("/api/v1/data-stores/{data_store_id}", {
      params: { path: { data_store_id: id } },
    })),
    onSuccess: async (_data, id) => {
      queryClient.removeQueries({ queryKey: [...ALL, id] });
      await queryClient.invalidateQueries({ queryKey: ALL, exact: true });
    },
  });
}

function recordPath(id: string, key: string) {
  return { params: { path: { data_store_id: id, key } } };
}

export interface RecordWrite {
  storeId: string;
  key: string;
  data: Record<string, unknown>;
  /** Adding: refuse a key that a record already has (a PUT would replace it). */
  isNew: boolean;
}

export function useWriteRecord() {
  return useRefreshing(async ({ storeId, key, data, isNew }: RecordWrite) => {
    if (isNew) {
      const { response } = await client.GET("/api/v1/data-stores/{data_store_id}/records/{key}", recordPath(storeId, key));
      if (response.ok) throw new ApiError(409, "conflict", `key: a record with the key “${key}” exists already`, "key", null);
    }
    return unwrap(client.PUT("/api/v1/data-stores/{data_store_id}/records/{key}", { ...recordPath(storeId, key), body: { data } }));
  });
}

export function useDeleteRecord() {
  return useRefreshing(({ storeId, key }: { storeId: string; key: string }) =>
    unwrap(client.DELETE("/api/v1/data-stores/{data_store_id}/records/{key}", recordPath(storeId, key))));
}
