/** The app catalogue (`GET /apps`): fetched once per session, it changes only with a server upgrade. */
import { useQuery } from "@tanstack/react-query";
import { client, unwrap } from "@/lib/api-client";
import { moduleLabels } from "../catalogue";

export function useModuleLabels() {
  return useQuery({
    queryKey: ["apps"],
    queryFn: () => unwrap(client.GET("/api/v1/apps")),
    select: moduleLabels,
    staleTime: Infinity,
  });
}
