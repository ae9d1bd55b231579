/**
 * The module settings form from a module's params JSON Schema: one field per property, the input
 * its type calls for, and the conversions between what is typed and what the definition holds.
 * Any field may hold an expression ("{{ hook.body.x }}"), so typed values stay text until they
 * read as the type.
 */
import type { Json } from "./definition";

export type FieldKind = "text" | "textarea" | "number" | "integer" | "boolean" | "enum" | "keyvalue" | "json";

export interface FieldSpec {
  name: string;
  title: string;
  description: string | null;
  required: boolean;
  kind: FieldKind;
  options: (string | number)[];
  default: Json | undefined;
}

type Schema = Record<string, unknown>;

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The schema without its `null` alternative (`anyOf: [X, {type: null}]` -> X); else itself. */
function nonNull(schema: Schema): Schema {
  const options = Array.isArray(schema.anyOf) ? schema.anyOf.filter(isSchema) : [];
  const real = options.filter((s) => s.type !== "null");
  return real.length === 1 && real[0] ? { ...real[0], ...without(schema, "anyOf") } : schema;
}

function without(schema: Schema, name: string): Schema {
  const copy = { ...schema };
  delete copy[name];
  return copy;
}

/** Title Case from snake_case, when the schema gives no title. */
export function titleOf(name: string): string {
  const words = name.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const LONG_TEXT = /template|body|html|text|query|sql|script|message|content/i;

function kindOf(name: string, schema: Schema): { kind: FieldKind; options: (string | number)[] } {
  if (Array.isArray(schema.enum)) return { kind: "enum", options: schema.enum.filter((v) => typeof v === "string" || typeof v === "number") };
  switch (schema.type) {
    case "string":
      return { kind: LONG_TEXT.test(name) || schema.format === "textarea" ? "textarea" : "text", options: [] };
    case "number":
      return { kind: "number", options: [] };
    case "integer":
      return { kind: "integer", options: [] };
    case "boolean":
      return { kind: "boolean", options: [] };
    case "object": {
      const extra = schema.additionalProperties;
      const simple = extra === true || extra === undefined || (isSchema(extra) && (extra.type === "string" || Array.isArray(extra.anyOf)));
      return { kind: simple && !isSchema(schema.properties) ? "keyvalue" : "json", options: [] };
    }
    default:
      return { kind: "json", options: [] };
  }
}

/** The fields of a module's params schema, in the schema's order. */
export function fieldsOf(params: unknown): FieldSpec[] {
  if (!isSchema(params) || !isSchema(params.properties)) return [];
  const required = new Set(Array.isArray(params.required) ? params.required : []);
  const entries = Object.entries(params.properties).filter((e): e is [string, Schema] => isSchema(e[1]));
  return entries.map(([name, raw]) => {
    const schema = nonNull(raw as Schema);
    const { kind, options } = kindOf(name, schema);
    return {
      name,
      title: typeof raw.title === "string" && raw.title !== "" ? raw.title : titleOf(name),
      description: typeof raw.description === "string" ? raw.description : null,
      required: required.has(name),
      kind,
      options,
      default: (raw as { default?: Json }).default,
    };
  });
}

/** What a text input shows for `value`. */
export function textOf(value: Json | undefined, kind: FieldKind): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (kind === "json" || kind === "keyvalue" || typeof value === "object") return JSON.stringify(value, null, 2);
  return String(value);
}

export type Parsed = { ok: true; value: Json | undefined } | { ok: false; message: string };

/** What typed `text` means for a field of `kind`: undefined (no value) when empty; an expression stays text. */
export function parseField(text: string, kind: FieldKind): Parsed {
  if (text.trim() === "") return { ok: true, value: undefined };
  if (text.includes("{{")) {
    if (kind !== "json") return { ok: true, value: text };
    try {
      return { ok: true, value: JSON.parse(text) as Json };
    } catch {
      return { ok: true, value: text };
    }
  }
  if (kind === "number" || kind === "integer") {
    const n = Number(text.trim());
    if (!Number.isFinite(n)) return { ok: false, message: "Enter a number or an expression" };
    if (kind === "integer" && !Number.isInteger(n)) return { ok: false, message: "Enter a whole number or an expression" };
    return { ok: true, value: n };
  }
  if (kind === "json") {
    try {
      return { ok: true, value: JSON.parse(text) as Json };
    } catch {
      return { ok: false, message: "Not valid JSON (or an expression with {{ }})" };
    }
  }
  return { ok: true, value: text };
}

/** An object's entries as rows for the key-value editor. */
export function rowsOf(value: Json | undefined): [string, string][] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [];
  return Object.entries(value).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]);
}

/** Rows back to an object; rows with an empty name are left out, a value is kept as typed. */
export function objectOf(rows: [string, string][]): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of rows) if (k.trim() !== "") out[k.trim()] = v;
  return out;
}
