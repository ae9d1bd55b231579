/** A data store's structure as the create and edit forms hold it, the request body made from it, and where
 * an API error belongs in the form. Pure functions, tested with Vitest. */
import { ApiError } from "@/lib/errors";

/** The field types the API accepts (`FieldSpec.type`). */
export const FIELD_TYPES = ["text", "number", "boolean", "date", "array", "collection", "any"] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const TYPE_LABELS: Record<FieldType, string> = {
  text: "Text",
  number: "Number",
  boolean: "Yes or no",
  date: "Date and time",
  array: "Array (JSON)",
  collection: "Collection (JSON object)",
  any: "Any (JSON)",
};

/** One field of a structure as the API answers it. */
export interface FieldSpec {
  name: string;
  type: FieldType;
  required: boolean;
  label?: string;
}

/** One row of the fields editor; `id` keeps React's keys stable while rows come and go. */
export interface FieldDraft {
  id: number;
  name: string;
  type: FieldType;
  required: boolean;
  label?: string;
}

export interface StoreDraft {
  name: string;
  fields: FieldDraft[];
  maxRecords: string;
  maxSizeBytes: string;
}

export interface StoreBody {
  name: string;
  structure: { name: string; type: FieldType; required: boolean; label?: string }[];
  max_records?: number;
  max_size_bytes?: number;
}

export function isFieldType(value: unknown): value is FieldType {
  return typeof value === "string" && (FIELD_TYPES as readonly string[]).includes(value);
}

/** The structure the API answered, read defensively (an unknown type is shown as "any"). */
export function readStructure(structure: readonly Record<string, unknown>[]): FieldSpec[] {
  return structure.map((spec) => {
    const field: FieldSpec = {
      name: String(spec.name ?? ""),
      type: isFieldType(spec.type) ? spec.type : "any",
      required: spec.required === true,
    };
    if (typeof spec.label === "string" && spec.label !== "") field.label = spec.label;
    return field;
  });
}

let nextId = 1;

export function newField(type: FieldType = "text"): FieldDraft {
  return { id: nextId++, name: "", type, required: false };
}

/** A new store's form: one empty text field, the server's limits. */
export function emptyDraft(): StoreDraft {
  return { name: "", fields: [newField()], maxRecords: "", maxSizeBytes: "" };
}

/** The form of an existing store: its name, fields and limits. */
export function draftOf(store: { name: string; structure: FieldSpec[]; max_records: number; max_size_bytes: number }): StoreDraft {
  return {
    name: store.name,
    fields: store.structure.map((f) => ({ ...f, id: nextId++ })),
    maxRecords: String(store.max_records),
    maxSizeBytes: String(store.max_size_bytes),
  };
}

/** A limit typed into the form: a number, or undefined when left empty (the server's cap). */
function limit(text: string): number | undefined {
  const trimmed = text.trim();
  return trimmed === "" ? undefined : Number(trimmed);
}

/** The request body for `POST /data-stores` (and `PUT`): names trimmed, empty limits left out. */
export function storeBody(draft: StoreDraft): StoreBody {
  const body: StoreBody = {
    name: draft.name.trim(),
    structure: draft.fields.map((f) => ({
      name: f.name.trim(), type: f.type, required: f.required, ...(f.label ? { label: f.label } : {}),
    })),
  };
  const maxRecords = limit(draft.maxRecords);
  const maxSize = limit(draft.maxSizeBytes);
  if (maxRecords !== undefined) body.max_records = maxRecords;
  if (maxSize !== undefined) body.max_size_bytes = maxSize;
  return body;
}

/** A problem shown at one field of a form. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** The message without its leading "path: ", as a sentence. */
function bare(message: string, path: string): string {
  const first = message.split("; ")[0] ?? message;
  const text = (first.startsWith(`${path}: `) ? first.slice(path.length + 2) : first).trim();
  const sentence = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

/** Where an API error belongs: the form's path it names (`structure[1].name`), or a known path it lies under
 * (`structure[1].name.x` belongs to `structure[1].name`). Null when it names none of `paths`: show it above. */
export function problemAt(error: unknown, paths: readonly string[]): FieldProblem | null {
  if (!(error instanceof ApiError) || !error.path || error.status === 429) return null;
  const path = error.path;
  const match = paths.includes(path)
    ? path
    : paths.filter((p) => path.startsWith(`${p}.`) || path.startsWith(`${p}[`)).sort((a, b) => b.length - a.length)[0];
  return match === undefined ? null : { path: match, message: bare(error.message, path) };
}

/** Every path the store form can show an error at. */
export function storePaths(fieldCount: number): string[] {
  const paths = ["name", "structure", "max_records", "max_size_bytes"];
  for (let i = 0; i < fieldCount; i += 1) {
    paths.push(`structure[${i}]`, `structure[${i}].name`, `structure[${i}].type`, `structure[${i}].required`);
  }
  return paths;
}
