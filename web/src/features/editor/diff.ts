/** A readable line diff of two definitions: stable pretty-printed JSON, then the LCS of their lines. Pure. */

export type DiffKind = "same" | "added" | "removed";

export interface DiffLine {
  kind: DiffKind;
  text: string;
  /** Line numbers in the old and the new text (1-based), where the line is in them. */
  oldNo?: number;
  newNo?: number;
}

export type DiffBlock = { kind: "lines"; lines: DiffLine[] } | { kind: "skipped"; count: number };

/** Keys in the order a person reads a definition; any other key after them, alphabetically. */
const KEY_ORDER = [
  "name", "description", "id", "type", "module", "connection", "label", "fallback", "trigger", "schedule",
  "expression", "minutes", "timezone", "filter", "condition", "conditions", "a", "o", "b", "params", "router",
  "if_else", "else", "flow", "on_error", "directive", "output", "settings", "ui",
];
const RANK = new Map(KEY_ORDER.map((key, i) => [key, i]));

function compareKeys(x: string, y: string): number {
  const rx = RANK.get(x) ?? KEY_ORDER.length;
  const ry = RANK.get(y) ?? KEY_ORDER.length;
  return rx !== ry ? rx - ry : x < y ? -1 : x > y ? 1 : 0;
}

function ordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(ordered);
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([x], [y]) => compareKeys(x, y));
    return Object.fromEntries(entries.map(([k, v]) => [k, ordered(v)]));
  }
  return value;
}

/** Pretty-printed JSON whose key order does not depend on how the object was built. */
export function stableText(value: unknown): string {
  return JSON.stringify(ordered(value), null, 2) ?? "null";
}

/** The lines of `before` and `after`: common ones, removed ones and added ones, in order (an LCS). */
export function diffLines(before: string[], after: string[]): DiffLine[] {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start += 1;
  let endOld = before.length;
  let endNew = after.length;
  while (endOld > start && endNew > start && before[endOld - 1] === after[endNew - 1]) { endOld -= 1; endNew -= 1; }
  const a = before.slice(start, endOld);
  const b = after.slice(start, endNew);
  const width = b.length + 1;
  // lcs[i * width + j]: the LCS length of a[i:] and b[j:]
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      lcs[i * width + j] = a[i] === b[j]
        ? (lcs[(i + 1) * width + j + 1] ?? 0) + 1
        : Math.max(lcs[(i + 1) * width + j] ?? 0, lcs[i * width + j + 1] ?? 0);
    }
  }
  const out: DiffLine[] = [];
  const same = (o: number, n: number) => out.push({ kind: "same", text: before[o] ?? "", oldNo: o + 1, newNo: n + 1 });
  for (let k = 0; k < start; k += 1) same(k, k);
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      same(start + i, start + j);
      i += 1; j += 1;
    } else if (j < b.length && (i >= a.length || (lcs[i * width + j + 1] ?? 0) >= (lcs[(i + 1) * width + j] ?? 0))) {
      out.push({ kind: "added", text: b[j] ?? "", newNo: start + j + 1 });
      j += 1;
    } else {
      out.push({ kind: "removed", text: a[i] ?? "", oldNo: start + i + 1 });
      i += 1;
    }
  }
  for (let k = 0; k < before.length - endOld; k += 1) same(endOld + k, endNew + k);
  return sortRemovedFirst(out);
}

/** Within each run of changes, removed lines before added ones, as a reader expects. */
function sortRemovedFirst(lines: DiffLine[]): DiffLine[] {
  const out: DiffLine[] = [];
  let run: DiffLine[] = [];
  const flush = () => {
    out.push(...run.filter((l) => l.kind === "removed"), ...run.filter((l) => l.kind === "added"));
    run = [];
  };
  for (const line of lines) {
    if (line.kind === "same") { flush(); out.push(line); } else run.push(line);
  }
  flush();
  return out;
}

/** The diff of two definitions' stable texts. */
export function diffDefinitions(before: unknown, after: unknown): DiffLine[] {
  return diffLines(stableText(before).split("\n"), stableText(after).split("\n"));
}

/** The lines around the changes (`context` on each side), with the unchanged stretches between as skips. */
export function hunks(lines: DiffLine[], context = 3): DiffBlock[] {
  const keep = lines.map(() => false);
  lines.forEach((line, i) => {
    if (line.kind === "same") return;
    for (let k = Math.max(0, i - context); k <= Math.min(lines.length - 1, i + context); k += 1) keep[k] = true;
  });
  const blocks: DiffBlock[] = [];
  let index = 0;
  while (index < lines.length) {
    const kept = keep[index] ?? false;
    let end = index;
    while (end < lines.length && (keep[end] ?? false) === kept) end += 1;
    blocks.push(kept ? { kind: "lines", lines: lines.slice(index, end) } : { kind: "skipped", count: end - index });
    index = end;
  }
  return blocks;
}

export function changeCount(lines: DiffLine[]): { added: number; removed: number } {
  return {
    added: lines.filter((l) => l.kind === "added").length,
    removed: lines.filter((l) => l.kind === "removed").length,
  };
}
