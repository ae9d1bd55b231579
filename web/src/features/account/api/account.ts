/** The account: its password, API tokens, the export of its data and its erasure. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { client, unwrap } from "@/lib/api-client";
import type { components } from "@/lib/api/schema";
import { downloadJson, exportFileName } from "../export";

export type Token = components["schemas"]["TokenPublic"];
export type CreatedToken = components["schemas"]["TokenCreated"];

const TOKENS_KEY = ["tokens"] as const;

export function useTokens() {
  return useQuery({ queryKey: TOKENS_KEY, queryFn: () => unwrap(client.GET("/api/v1/tokens")) });
}

export function useCreateToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => unwrap(client.POST("/api/v1/tokens", { body: { name } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: TOKENS_KEY }),
  });
}

export function useRevokeToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(client.DELETE("/api/v1/tokens/{token_id}", { params: { path: { token_id: id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: TOKENS_KEY }),
  });
}

export interface PasswordChange {
  /** "" for an account without a password (it sets its first one). */
  current_password: string;
  new_password: string;
}

/** Changes the password; the server ends every other session of the account, this one goes on. */
export function useChangePassword() {
  return useMutation({
    mutationFn: (body: PasswordChange) => unwrap(client.POST("/api/v1/account/password", { body })),
  });
}

/** Fetches `GET /account/export` and saves it as a JSON file. */
export function useExportData(email: string) {
  return useMutation({
    mutationFn: async () => {
      const data = await unwrap(client.GET("/api/v1/account/export"));
      downloadJson(data, exportFileName(email, new Date()));
    },
  });
}

/** Erases the account and all its data (the password is asked again); the session ends with it. */
export function useDeleteAccount() {
  return useMutation({
    mutationFn: (password: string) => unwrap(client.DELETE("/api/v1/account", { body: { password } })),
  });
}
