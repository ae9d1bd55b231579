/** A connection type's JSON Schema (pydantic's, from `GET /apps`) as form fields, and the form's values
 * back as the `fields` body: type coercion, required checks, secrets left out when they stay. */
import { ApiError } from "@/lib/errors";

export type JsonSchema = {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  examples?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  format?: string;
  writeOnly?: boolean;
};

export type FieldKind = "text" | "multiline" | "secret" | "integer" | "number" | "boolean" | "select" | "list" | "json";

export interface FieldDescriptor {
  key: string;
  label: string;
  hint: string | null;
  kind: FieldKind;
  required: boolean;
  nullable: boolean;
  secret: boolean;
  /** A secret that spans lines (a private key): a textarea, still never shown again. */
  multiline: boolean;
  options: string[];
  default: unknown;
  minimum: number | null;
  maximum: number | null;
}

/** What the inputs hold: text for every input, true/false for a checkbox. */
export type FormValues = Record<string, string | boolean>;

export type Mode = "create" | "edit";

const ACRONYMS: Record<string, string> = {
  api: "API", ca: "CA", db: "DB", ftp: "FTP", id: "ID", imap: "IMAP", pem: "PEM", smtp: "SMTP", ssl: "SSL",
  tls: "TLS", url: "URL", uri: "URI", vhost: "Virtual host",
};

/** pydantic's title ("Tls Verify", "Authorize Url") with its acronyms spelled as people write them. */
export function labelOf(key: string, title?: string): string {
  const words = (title ?? key.replace(/_/g, " ")).split(/\s+/).filter(Boolean);
  const spelled = words.map((word) => ACRONYMS[word.toLowerCase()] ?? word);
  const text = spelled.join(" ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The schema without its `null` alternative, and whether null is allowed. */
function unwrapNullable(schema: JsonSchema): { inner: JsonSchema; nullable: boolean } {
  const alternatives = schema.anyOf;
  if (!alternatives) return { inner: schema, nullable: schema.type === "null" };
  const others = alternatives.filter((s) => s.type !== "null");
  const nullable = others.length < alternatives.length;
  const [only] = others;
  if (others.length === 1 && only) return { inner: { ...only, ...without(schema, "anyOf") }, nullable };
  return { inner: schema, nullable };
}

function without(schema: JsonSchema, key: keyof JsonSchema): JsonSchema {
  const copy = { ...schema };
  delete copy[key];
  return copy;
}

function spansLines(schema: JsonSchema): boolean {
  return (schema.examples ?? []).some((e) => typeof e === "string" && e.includes("\n"));
}

function kindOf(schema: JsonSchema, secret: boolean): FieldKind {
  if (secret) return "secret";
  if (Array.isArray(schema.enum) && schema.enum.every((v) => typeof v === "string")) return "select";
  switch (schema.type) {
    case "string": return spansLines(schema) ? "multiline" : "text";
    case "integer": return "integer";
    case "number": return "number";
    case "boolean": return "boolean";
    case "array": return schema.items?.type === "string" ? "list" : "json";
    default: return "json";
  }
}

function isSecret(key: string, schema: JsonSchema, secretFields: readonly string[]): boolean {
  return secretFields.includes(key) || schema.writeOnly === true || schema.format === "password";
}

/** One descriptor per property of the type's schema, in the schema's order. */
export function describeFields(schema: JsonSchema, secretFields: readonly string[] = []): FieldDescriptor[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([key, property]) => {
    const { inner, nullable } = unwrapNullable(property);
    const secret = isSecret(key, inner, secretFields);
    return {
      key,
      label: labelOf(key, property.title ?? inner.title),
      hint: property.description ?? inner.description ?? null,
      kind: kindOf(inner, secret),
      required: required.has(key),
      nullable,
      secret,
      multiline: secret && spansLines(inner),
      options: (inner.enum ?? []).map(String),
      default: property.default,
      minimum: inner.minimum ?? inner.exclusiveMinimum ?? null,
      maximum: inner.maximum ?? inner.exclusiveMaximum ?? null,
    };
  });
}

function textOf(value: unknown, kind: FieldKind): string {
  if (value === undefined || value === null) return "";
  if (kind === "list" && Array.isArray(value)) return value.join(" ");
  if (kind === "json") return JSON.stringify(value);
  return String(value);
}

/** The inputs' first values: a connection's stored (non-secret) values when editing, else the defaults.
 * A secret starts blank, always. */
export function initialValues(fields: FieldDescriptor[], stored?: Record<string, unknown>): FormValues {
  const values: FormValues = {};
  for (const field of fields) {
    const value = field.secret ? undefined : stored && field.key in stored ? stored[field.key] : field.default;
    values[field.key] = field.kind === "boolean" ? value === true : textOf(value, field.kind);
  }
  return values;
}

export interface Built {
  /** The `fields` of `POST /connections` or `PATCH /connections/{id}`. */
  body: Record<string, unknown>;
  /** Field key → what is wrong with its value; empty when the body may be sent. */
  problems: Record<string, string>;
}

type Parsed = { value: unknown } | { omit: true } | { problem: string };

function parseNumber(text: string, field: FieldDescriptor): Parsed {
  const value = Number(text);
  if (!Number.isFinite(value)) return { problem: "Enter a number." };
  if (field.kind === "integer" && !Number.isInteger(value)) return { problem: "Enter a whole number." };
  return { value };
}

function parseJson(text: string): Parsed {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return { problem: "Enter valid JSON." };
  }
}

/** An empty input: kept as stored (a secret when editing), null, the default, or missing. */
function parseEmpty(field: FieldDescriptor, mode: Mode): Parsed {
  if (field.secret && mode === "edit") return { omit: true };
  if (field.required) return { problem: "Required." };
  if (field.kind === "list") return { value: [] };
  if (field.nullable) return { value: null };
  if (mode === "edit" && field.default !== undefined) return { value: field.default };
  return { omit: true };
}

function parseValue(field: FieldDescriptor, raw: string | boolean | undefined, mode: Mode): Parsed {
  if (field.kind === "boolean") return { value: raw === true };
  const text = typeof raw === "string" ? raw : "";
  const trimmed = field.secret || field.kind === "multiline" ? text : text.trim();
  if (trimmed.trim() === "") return parseEmpty(field, mode);
  switch (field.kind) {
    case "integer":
    case "number": return parseNumber(trimmed, field);
    case "list": return { value: trimmed.split(/[\s,]+/).filter(Boolean) };
    case "json": return parseJson(trimmed);
    default: return { value: trimmed };
  }
}

/** The body for the values; in edit mode a blank secret is left out, so that it keeps its value. */
export function buildFields(fields: FieldDescriptor[], values: FormValues, mode: Mode): Built {
  const body: Record<string, unknown> = {};
  const problems: Record<string, string> = {};
  for (const field of fields) {
    const parsed = parseValue(field, values[field.key], mode);
    if ("problem" in parsed) problems[field.key] = parsed.problem;
    else if ("value" in parsed) body[field.key] = parsed.value;
  }
  return { body, problems };
}

/** Where an API error belongs: `name`, `type` or a field's key (`fields.port` → `port`), or null for
 * the form as a whole; and its message without the path in front. */
export function placeError(error: unknown): { at: string | null; message: string } | null {
  if (!(error instanceof ApiError) || !error.path) return null;
  const [head, key] = error.path.split(".");
  const at = head === "fields" && key ? key : head === "name" || head === "type" ? head : null;
  const prefix = `${error.path}: `;
  const bare = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  const first = bare.split("; ")[0] ?? bare;
  const text = first.trim().replace(/^./, (c) => c.toUpperCase());
  return { at, message: /[.!?]$/.test(text) ? text : `${text}.` };
}
