/** A record form generated from a store's structure: which input each field gets, the inputs' values from a
 * record, and the record from the inputs, converted to each field's type. Pure functions, tested with Vitest. */
import { TYPE_LABELS, type FieldSpec, type FieldType } from "./structure";

/** The input a field gets: text box, number box, yes/no choice, date and time picker, or JSON text. */
export type InputKind = "text" | "number" | "boolean" | "datetime" | "json";

export interface FormField {
  name: string;
  label: string;
  type: FieldType;
  required: boolean;
  input: InputKind;
  /** What the field takes, in words: "Number", "A JSON array, such as [1, 2, 3]". */
  hint: string;
}

const INPUTS: Record<FieldType, InputKind> = {
  text: "text", number: "number", boolean: "boolean", date: "datetime", array: "json", collection: "json", any: "json",
};

const HINTS: Partial<Record<FieldType, string>> = {
  array: "A JSON array, such as [1, 2, 3]",
  collection: "A JSON object, such as {\"city\": \"Prague\"}",
  any: "Any JSON: text in quotes, a number, true, an array or an object",
};

export function formFields(structure: readonly FieldSpec[]): FormField[] {
  return structure.map((f) => ({
    name: f.name, label: f.label ?? f.name, type: f.type, required: f.required, input: INPUTS[f.type],
    hint: HINTS[f.type] ?? TYPE_LABELS[f.type],
  }));
}

export type FormValues = Record<string, string>;

function two(n: number): string {
  return String(n).padStart(2, "0");
}

/** An ISO moment as a `datetime-local` value in the browser's time zone: "2024-03-05T15:30", "…T15:30:05". */
export function localInput(iso: string): string {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return "";
  const seconds = when.getSeconds() === 0 ? "" : `:${two(when.getSeconds())}`; // as the browser shows it
  return `${when.getFullYear()}-${two(when.getMonth() + 1)}-${two(when.getDate())}T${two(when.getHours())}:` +
    `${two(when.getMinutes())}${seconds}`;
}

/** A `datetime-local` value (local time) as ISO 8601 in UTC; null when it is no date. */
export function isoFromLocal(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value)) return null;
  const when = new Date(value); // a date-time without an offset is local time
  return Number.isNaN(when.getTime()) ? null : when.toISOString();
}

/** What each input shows for a record (all empty for a new one). */
export function initialValues(fields: readonly FormField[], data: Record<string, unknown> = {}): FormValues {
  const values: FormValues = {};
  for (const f of fields) {
    const value = data[f.name];
    if (value === undefined || value === null) values[f.name] = "";
    else if (f.input === "json") values[f.name] = JSON.stringify(value, null, 2);
    else if (f.input === "datetime") values[f.name] = typeof value === "string" ? localInput(value) : "";
    else if (f.input === "boolean") values[f.name] = value === true ? "true" : value === false ? "false" : "";
    else values[f.name] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return values;
}

const JSON_EXPECTED: Partial<Record<FieldType, string>> = {
  array: "Enter a JSON array, such as [1, 2, 3].",
  collection: "Enter a JSON object, such as {\"city\": \"Prague\"}.",
  any: "Enter JSON: text in quotes, a number, true or false, an array or an object.",
};

type Converted = { value: unknown } | { problem: string };

function convert(field: FormField, text: string): Converted {
  switch (field.input) {
    case "number": {
      const number = Number(text.trim());
      return Number.isFinite(number) ? { value: number } : { problem: "Enter a number." };
    }
    case "boolean":
      return { value: text === "true" };
    case "datetime": {
      const iso = isoFromLocal(text);
      return iso === null ? { problem: "Enter a date and time." } : { value: iso };
    }
    case "json": {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return { problem: JSON_EXPECTED[field.type] ?? "Enter JSON." };
      }
      const fits = field.type === "array" ? Array.isArray(value)
        : field.type === "collection" ? typeof value === "object" && value !== null && !Array.isArray(value)
          : true;
      return fits ? { value } : { problem: JSON_EXPECTED[field.type] ?? "Enter JSON." };
    }
    default:
      return { value: text };
  }
}

export type RecordResult = { data: Record<string, unknown> } | { problems: Record<string, string> };

/** The record's data from the inputs: each value converted to its field's type, an empty input left out
 * ("no value"); or the problem of each input that cannot be converted, or is required and empty. */
export function toRecord(fields: readonly FormField[], values: FormValues): RecordResult {
  const data: Record<string, unknown> = {};
  const problems: Record<string, string> = {};
  for (const f of fields) {
    const text = values[f.name] ?? "";
    if (text.trim() === "") {
      if (f.required) problems[f.name] = "Required: enter a value.";
      continue;
    }
    const converted = convert(f, text);
    if ("problem" in converted) problems[f.name] = converted.problem;
    else data[f.name] = converted.value;
  }
  return Object.keys(problems).length > 0 ? { problems } : { data };
}

/** The form path of a record's field in the API's errors: `data.amount`. */
export function dataPath(name: string): string {
  return `data.${name}`;
}

/** A value as a table cell shows it: text as it is, yes/no, numbers, compact JSON; "" for no value. Dates go
 * through `formatDate`. */
export function cellText(type: FieldType, value: unknown, formatDate: (iso: string) => string = (iso) => iso): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (type === "date" && typeof value === "string") return formatDate(value) || value;
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** One page of records asked for with `limit = size + 1`: the rows to show, and the key to ask the next page
 * `after` (null on the last page). */
export function pageOf<T extends { key: string }>(records: readonly T[], size: number): { rows: T[]; next: string | null } {
  const rows = records.slice(0, size);
  const last = rows[rows.length - 1];
  return { rows, next: records.length > size && last !== undefined ? last.key : null };
}

/** A key for a record added without one: 16 random hex digits. */
export function generatedKey(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  return [...random(new Uint8Array(8))].map((b) => b.toString(16).padStart(2, "0")).join("");
}
