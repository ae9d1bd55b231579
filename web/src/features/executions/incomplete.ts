/** Incomplete executions as the page shows them: pure functions, tested with Vitest. */

export interface RunError {
  type?: string;
  message?: string;
  step?: string;
}

/** The stored error in one line: "ConnectionError: connection refused" (its message alone, or its type). */
export function errorText(error: unknown): string {
  if (typeof error === "string") return error;
  if (typeof error !== "object" || error === null) return "Unknown error";
  const { type, message } = error as RunError;
  if (message && type) return `${type}: ${message}`;
  return message || type || "Unknown error";
}

export interface RetryOutcome {
  status: string | null;
  /** The API's error when the retry could not be started. */
  failed?: boolean;
}

/** What retrying some incomplete executions came to: "Retried 3: 2 succeeded, 1 failed again." */
export function retrySummary(outcomes: readonly RetryOutcome[]): string {
  const succeeded = outcomes.filter((o) => !o.failed && (o.status === "success" || o.status === "warning")).length;
  const refused = outcomes.filter((o) => o.failed).length;
  const again = outcomes.length - succeeded - refused;
  if (outcomes.length === 1) {
    if (succeeded) return "The retry succeeded.";
    return refused ? "The retry could not be started." : "The retry failed again.";
  }
  const parts = [`${succeeded} succeeded`];
  if (again) parts.push(`${again} failed again`);
  if (refused) parts.push(`${refused} could not be started`);
  return `Retried ${outcomes.length}: ${parts.join(", ")}.`;
}

/** How many are chosen, in words: "1 incomplete execution", "2 incomplete executions". */
export function countText(count: number): string {
  return `${count} incomplete ${count === 1 ? "execution" : "executions"}`;
}
