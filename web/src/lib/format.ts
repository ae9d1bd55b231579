/** Formatting helpers: pure functions, tested with Vitest. */

export type Schedule =
  | { type: "immediately" }
  | { type: "on_demand" }
  | { type: "interval"; minutes: number }
  | { type: "cron"; expression: string; timezone?: string };

function plural(count: number, one: string, many: string = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** A schedule in words: "Immediately", "Every 15 minutes", "Cron 0 9 * * 1-5 (Europe/Prague)". */
export function scheduleText(schedule: unknown): string {
  if (typeof schedule !== "object" || schedule === null) return "Immediately";
  const s = schedule as Partial<Schedule> & { minutes?: unknown; expression?: unknown; timezone?: unknown };
  switch (s.type) {
    case "interval":
      return typeof s.minutes === "number" ? `Every ${plural(s.minutes, "minute")}` : "Interval";
    case "cron": {
      const zone = typeof s.timezone === "string" && s.timezone ? ` (${s.timezone})` : "";
      return `Cron ${String(s.expression ?? "")}${zone}`.trim();
    }
    case "on_demand":
      return "On demand";
    default:
      return "Immediately";
  }
}

/** The trigger's kind from its module key: "webhooks.custom" -> "Webhook". */
export function triggerKind(module: unknown): string {
  if (typeof module !== "string" || module === "") return "None";
  const [app = "", name = ""] = module.split(".");
  if (app === "webhooks") return "Webhook";
  const words = `${app} ${name}`.replace(/_/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A run status for people: "success" -> "Success". */
export function statusText(status: string): string {
  return status.charAt(0).toUpperCase() + status.slice(1).replace(/_/g, " ");
}

/** A moment as local date and time, "3 Dec 2026, 14:05"; "" when there is none or it is unreadable. */
export function dateTimeText(iso: string | null | undefined, locale?: string, timeZone?: string): string {
  if (!iso) return "";
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return "";
  return new Intl.DateTimeFormat(locale, {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone,
  }).format(when);
}

/** Seconds in words, for the idle timeout: 1200 -> "20 minutes", 90 -> "2 minutes", 30 -> "30 seconds". */
export function durationText(seconds: number): string {
  if (seconds < 60) return plural(Math.max(0, Math.round(seconds)), "second");
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 120 || minutes % 60 !== 0) return plural(minutes, "minute");
  return plural(minutes / 60, "hour");
}

/** A count with the locale's digit grouping: 12345 -> "12,345" (en). */
export function countText(count: number, locale?: string): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(count);
}

/** The name of a copy: "Orders" -> "Orders (copy)", "Orders (copy)" -> "Orders (copy 2)". */
export function copyName(name: string, taken: readonly string[] = []): string {
  const base = name.replace(/ \(copy(?: \d+)?\)$/, "");
  const used = new Set(taken);
  let candidate = `${base} (copy)`;
  for (let n = 2; used.has(candidate); n += 1) candidate = `${base} (copy ${n})`;
  return candidate;
}

/** Whether a scenario's name matches a search: every word, in any letter case. */
export function matchesSearch(name: string, query: string): boolean {
  const haystack = name.toLocaleLowerCase();
  return query.toLocaleLowerCase().split(/\s+/).filter(Boolean).every((word) => haystack.includes(word));
}

/** A moment to the second, for telling runs apart: "3 Dec 2026, 14:05:09"; "" when there is none. */
export function preciseDateTimeText(iso: string | null | undefined, locale?: string, timeZone?: string): string {
  if (!iso) return "";
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return "";
  return new Intl.DateTimeFormat(locale, {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone,
  }).format(when);
}

/** Milliseconds in words, for a run's duration: "under 1 ms", "5 ms", "1.2 s", "2 min 5 s", "1 h 3 min". */
export function elapsedText(ms: number): string {
  if (!Number.isFinite(ms) || ms < 1) return "under 1 ms";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

/** How long a run took, from its start and end; "" while it has not started or not finished. */
export function runDurationText(startedAt: string | null | undefined, finishedAt: string | null | undefined): string {
  if (!startedAt || !finishedAt) return "";
  const ms = Date.parse(finishedAt) - Date.parse(startedAt);
  return Number.isNaN(ms) ? "" : elapsedText(ms);
}
