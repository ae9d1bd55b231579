/** The JSON tree's logic, without React: which nodes a value has, their labels, value text and copy text. */

export type JsonKind = "object" | "array" | "string" | "number" | "boolean" | "null";

export interface JsonEntry {
  /** The key in its parent ("body", "0"); "" at the root. */
  key: string;
  /** Where the value is, in expression form: "body.items[0].name"; "" at the root. */
  path: string;
  value: unknown;
  kind: JsonKind;
  /** A primitive as JSON (`"text"`, `12`, `null`), an object or array summed up (`{2 keys}`, `[3 items]`). */
  text: string;
  expandable: boolean;
}

export interface JsonChildren {
  entries: JsonEntry[];
  /** How many children are not listed (beyond the limit). */
  hidden: number;
}

/** At most this many children are listed per object or array; the rest are counted. */
export const CHILD_LIMIT = 100;

export function kindOf(value: unknown): JsonKind {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "array";
  switch (typeof value) {
    case "string": return "string";
    case "number": case "bigint": return "number";
    case "boolean": return "boolean";
    default: return "object";
  }
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The text shown for a value: JSON for primitives, a count of keys or items for containers. */
export function valueText(value: unknown): string {
  const kind = kindOf(value);
  if (kind === "array") return `[${count((value as unknown[]).length, "item", "items")}]`;
  if (kind === "object") return `{${count(Object.keys(value as object).length, "key", "keys")}}`;
  if (kind === "null") return "null";
  return kind === "string" ? JSON.stringify(value) : String(value);
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The path of a child: `a.b`, `a[0]`, `a["odd key"]`; a key that is no identifier is quoted. */
export function childPath(path: string, key: string, isIndex: boolean): string {
  if (isIndex) return `${path}[${key}]`;
  if (IDENTIFIER.test(key)) return path === "" ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

export function entry(key: string, path: string, value: unknown): JsonEntry {
  const kind = kindOf(value);
  const size = kind === "array" ? (value as unknown[]).length : kind === "object" ? Object.keys(value as object).length : 0;
  return { key, path, value, kind, text: valueText(value), expandable: size > 0 };
}

/** The children of an object or array (none for a primitive), at most `limit` of them. */
export function childrenOf(value: unknown, path: string, limit: number = CHILD_LIMIT): JsonChildren {
  const kind = kindOf(value);
  if (kind !== "array" && kind !== "object") return { entries: [], hidden: 0 };
  const pairs: [string, unknown][] = kind === "array"
    ? (value as unknown[]).map((item, i) => [String(i), item])
    : Object.entries(value as Record<string, unknown>);
  const entries = pairs.slice(0, limit).map(([key, item]) => entry(key, childPath(path, key, kind === "array"), item));
  return { entries, hidden: Math.max(0, pairs.length - limit) };
}

/** Whether a node starts open: the root and its children, deeper ones closed. */
export function initiallyOpen(depth: number): boolean {
  return depth < 2;
}

/** What a copy button puts on the clipboard: a string as it is, anything else as indented JSON. */
export function copyText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "null";
  return JSON.stringify(value, null, 2);
}

/** A copy button's name: "Copy Input", "Copy Output body.items". */
export function copyLabel(root: string, path: string): string {
  return path === "" ? `Copy ${root}` : `Copy ${root} ${path}`;
}
