/** An execution (`GET /executions/{id}`) read for the inspector: per-step run data and operations. */
import type { StepRun } from "@/features/canvas";

export interface ExecutionError {
  type: string;
  message?: string;
  step?: string;
}

export interface LogEntry {
  step: string;
  module: string;
  bundle: number;
  status: string;
  input?: unknown;
  output?: unknown;
  error?: ExecutionError | null;
  started_at: string | null;
  duration_ms: number;
}

export interface Execution {
  id: string;
  scenario_id: string;
  status: string;
  started_at: string | null;
  finished_at: string | null;
  operations: number;
  error?: ExecutionError | null;
  confidential: boolean;
  response?: unknown;
  log: LogEntry[];
}

/** A bundle that a filter stopped: recorded, but no operation. */
export function isOperation(entry: LogEntry): boolean {
  return entry.status !== "filtered";
}

/** The operations of one step, in the order they ran. */
export function operationsOf(execution: Execution, step: string): LogEntry[] {
  return execution.log.filter((entry) => entry.step === step && isOperation(entry));
}

/** The step where the run failed: the error's step, else the last step whose entry is an error. */
export function failedStep(execution: Execution): string | null {
  if (execution.error?.step) return execution.error.step;
  const failed = execution.log.filter((entry) => entry.status === "error");
  return failed.at(-1)?.step ?? null;
}

/** Each step that ran: its operation count, its status ("error" when any operation failed, "filtered"
 * when every bundle stopped at its filter) and the failure's error type. */
export function stepRuns(execution: Execution): Map<string, StepRun> {
  const runs = new Map<string, StepRun>();
  for (const entry of execution.log) {
    const run = runs.get(entry.step) ?? { operations: 0, status: "filtered", errorType: null };
    if (isOperation(entry)) {
      run.operations += 1;
      if (run.status !== "error") run.status = entry.status;
    }
    if (entry.status === "error") run.errorType = entry.error?.type ?? run.errorType ?? null;
    runs.set(entry.step, run);
  }
  return runs;
}
