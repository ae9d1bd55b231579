/** `GET /api/v1/public/settings`: retention windows and the idle timeout, for the login and privacy pages. */
import { useQuery } from "@tanstack/react-query";
import type { components } from "./api/schema";
import { client, unwrap } from "./api-client";

export type PublicSettings = components["schemas"]["PublicSettings"];

export function usePublicSettings() {
  return useQuery({
    queryKey: ["public-settings"],
    queryFn: () => unwrap(client.GET("/api/v1/public/settings")),
    staleTime: Infinity,
  });
}
