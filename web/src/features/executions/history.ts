/** The history page's words: the statuses to filter by, what an empty list says. */

export const RUN_STATUSES = ["success", "warning", "error", "incomplete", "running", "queued", "cancelled"] as const;

export type RunStatus = (typeof RUN_STATUSES)[number];

/** The filter's value from the select ("" is every status). */
export function parseStatus(value: string | null): RunStatus | null {
  return (RUN_STATUSES as readonly string[]).includes(value ?? "") ? (value as RunStatus) : null;
}

/** The inspector's address for an execution. */
export function inspectorPath(scenarioId: string, executionId: string): string {
  return `/scenarios/${encodeURIComponent(scenarioId)}?execution=${encodeURIComponent(executionId)}`;
}
