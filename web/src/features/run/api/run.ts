/** Run once: start a run, wait for the next one, follow one live (server-sent events, opened by the user). */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { Execution } from "@/features/inspector";
import { client, unwrap } from "@/lib/api-client";
import { applyEvent, emptyExecution, isFinished, parseEvent } from "../live";

async function fetchExecution(id: string): Promise<Execution> {
  return (await unwrap(client.GET("/api/v1/executions/{execution_id}", {
    params: { path: { execution_id: id } },
  }))) as unknown as Execution;
}

/** The scenario's newest execution with its log, or null when it never ran (fetched when asked, never on a timer). */
export function useLatestExecution(scenarioId: string, enabled = true) {
  return useQuery({
    queryKey: ["scenarios", scenarioId, "latest-execution"],
    queryFn: async () => {
      const runs = await unwrap(client.GET("/api/v1/scenarios/{scenario_id}/executions", {
        params: { path: { scenario_id: scenarioId }, query: { limit: 1 } },
      }));
      const newest = (runs as { id: string }[])[0];
      return newest ? fetchExecution(newest.id) : null;
    },
    enabled,
    staleTime: 0,
  });
}

/** `POST /scenarios/{id}/run` with the sample input: the new execution's id. */
export async function startRun(scenarioId: string, input: unknown): Promise<string> {
  const accepted = await unwrap(client.POST("/api/v1/scenarios/{scenario_id}/run", {
    params: { path: { scenario_id: scenarioId } },
    body: { input: input as never },
  }));
  return (accepted as { execution_id: string }).execution_id;
}

/** Wait for the scenario's next execution (`GET /scenarios/{id}/next-execution`); returns the stop function.
 * `onError` is called when the stream fails or ends (after 10 minutes) without one. */
export function waitForNextExecution(scenarioId: string, onExecution: (id: string) => void,
  onError: () => void): () => void {
  const source = new EventSource(`/api/v1/scenarios/${encodeURIComponent(scenarioId)}/next-execution`);
  source.addEventListener("execution", (event) => {
    source.close();
    try {
      const id = (JSON.parse((event as MessageEvent<string>).data) as { execution_id?: unknown }).execution_id;
      if (typeof id === "string") onExecution(id); else onError();
    } catch {
      onError();
    }
  });
  source.onerror = () => {
    source.close();
    onError();
  };
  return () => source.close();
}

/** The execution as it runs: an EventSource on `GET /executions/{id}/events` grows it per `operation`
 * and completes it with `status` (then reads the stored execution once); it closes then, on unmount, and on an error, after which one
 * `GET /executions/{id}` gives what was stored. Null before the id is known. */
export function useLiveExecution(executionId: string | null): Execution | null {
  const [execution, setExecution] = useState<Execution | null>(null);
  useEffect(() => {
    if (executionId === null) {
      setExecution(null);
      return undefined;
    }
    setExecution(emptyExecution(executionId));
    let done = false;
    const source = new EventSource(`/api/v1/executions/${encodeURIComponent(executionId)}/events`);
    const handle = (kind: string) => (message: Event) => {
      const event = parseEvent(kind, (message as MessageEvent<string>).data);
      if (event === null) return;
      setExecution((current) => applyEvent(current ?? emptyExecution(executionId), event));
      if (event.kind === "status") {
        done = true;
        source.close();
        // the stored log, once, in case the stream and the store disagree (a run recorded out of order)
        fetchExecution(executionId).then(setExecution, () => undefined);
      }
    };
    source.addEventListener("operation", handle("operation"));
    source.addEventListener("status", handle("status"));
    source.onerror = () => {
      source.close();
      if (done) return;
      done = true;
      fetchExecution(executionId).then(setExecution, () => undefined);
    };
    return () => {
      done = true;
      source.close();
    };
  }, [executionId]);
  return execution;
}

export { isFinished };

/** `GET /apps` as it came (the mapping panel reads the modules' `output`); shared with the canvas's labels. */
export function useCatalogue() {
  return useQuery({
    queryKey: ["apps"],
    queryFn: () => unwrap(client.GET("/api/v1/apps")),
    staleTime: Infinity,
  });
}
