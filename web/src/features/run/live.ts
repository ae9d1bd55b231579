/** A live execution built from the server-sent events of `GET /executions/{id}/events` (pure). */
import type { Execution, LogEntry } from "@/features/inspector";

export type LiveEvent =
  | { kind: "operation"; entry: LogEntry }
  | { kind: "status"; execution: Omit<Execution, "log"> };

/** The execution before any event: running, nothing recorded yet. */
export function emptyExecution(id: string, scenarioId = ""): Execution {
  return {
    id, scenario_id: scenarioId, status: "running", started_at: null, finished_at: null, operations: 0,
    error: null, confidential: false, log: [],
  };
}

/** A bundle stopped by a filter is logged but is no operation. */
function counts(entry: LogEntry): boolean {
  return entry.status !== "filtered";
}

/** The execution after one event: an operation grows the log (and the count), the status completes it. */
export function applyEvent(execution: Execution, event: LiveEvent): Execution {
  if (event.kind === "operation") {
    const started = execution.started_at ?? event.entry.started_at;
    return {
      ...execution, started_at: started, log: [...execution.log, event.entry],
      operations: execution.operations + (counts(event.entry) ? 1 : 0),
    };
  }
  return { ...execution, ...event.execution, log: execution.log };
}

/** The event of one server-sent message, or null for anything else (keep-alives, unknown kinds, bad data). */
export function parseEvent(kind: string, data: string): LiveEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  if (kind === "operation" && typeof (value as LogEntry).step === "string") return { kind, entry: value as LogEntry };
  if (kind === "status" && typeof (value as Execution).status === "string") {
    const { log: _log, ...rest } = value as Execution;
    return { kind, execution: rest };
  }
  return null;
}

const FINISHED = new Set(["success", "warning", "error", "incomplete", "cancelled"]);

export function isFinished(execution: Execution): boolean {
  return FINISHED.has(execution.status);
}

/** The sample input "Run once" offers: for a webhook trigger the body of the latest execution's request
 * (its first log entry's output), else `{}`; as indented JSON. */
export function lastInputText(execution: Execution | null | undefined, webhook: boolean): string {
  const output = execution?.log[0]?.output;
  const body = webhook && typeof output === "object" && output !== null && "body" in output
    ? (output as { body: unknown }).body : undefined;
  return JSON.stringify(body ?? {}, null, 2);
}

/** The sample input's JSON, or the parse error to show at the field. */
export function parseSampleInput(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (text.trim() === "") return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, message: `This is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}
