/** A step's filter, as the editor edits it: Make's structured rows (OR groups of AND rows) or one raw
 * expression; conversions between the two, validation and the one-line summary a link shows. Pure. */

export interface StoredRow {
  a: unknown;
  o: string;
  b?: unknown;
}

/** A filter as the definition holds it (docs/scenarios.md, "Filters"). */
export interface Filter {
  label?: string | null;
  condition?: string | boolean | null;
  conditions?: StoredRow[][] | null;
}

/** One row as the form holds it: operands are text (constants or `{{ }}` expressions). */
export interface Row {
  a: string;
  o: string;
  b: string;
}

export interface FilterModel {
  label: string;
  mode: "rows" | "raw";
  groups: Row[][];
  raw: string;
}

export interface Problem {
  path: string;
  message: string;
}

export type Converted<T> = { ok: true; value: T } | { ok: false; message: string };

interface OperatorInfo {
  value: string;
  label: string;
  /** How the summary writes it between the operands. */
  words: string;
}

interface OperatorGroup {
  type: string;
  operators: OperatorInfo[];
}

const op = (value: string, label: string, words: string): OperatorInfo => ({ value, label, words });
const ORDERED: [string, string, string][] = [
  ["equal", "Equal to", "="], ["notequal", "Not equal to", "≠"], ["greater", "Greater than", ">"],
  ["greaterorequal", "Greater than or equal to", "≥"], ["less", "Less than", "<"],
  ["lessorequal", "Less than or equal to", "≤"],
];
const MOMENTS: [string, string, string][] = [
  ["equal", "Equal to", "="], ["notequal", "Not equal to", "≠"], ["before", "Before", "before"],
  ["after", "After", "after"], ["beforeorequal", "Before or equal to", "at or before"],
  ["afterorequal", "After or equal to", "at or after"],
];
const TEXT: [string, string, string][] = [
  ["equal", "Equal to", "="], ["notequal", "Not equal to", "≠"], ["contains", "Contains", "contains"],
  ["notcontains", "Does not contain", "does not contain"], ["startswith", "Starts with", "starts with"],
  ["endswith", "Ends with", "ends with"], ["pattern", "Matches pattern", "matches"],
];

function textOperators(): OperatorInfo[] {
  const found: OperatorInfo[] = [];
  for (const [name, label, words] of TEXT) {
    found.push(op(`text:${name}`, label, words));
    found.push(op(`text:${name}:ci`, `${label} (any case)`, `${words} (any case)`));
  }
  found.push(op("text:notpattern", "Does not match pattern", "does not match"));
  return found;
}

/** Every operator the engine accepts (src/scenarist/engine/conditions.py), grouped by type. */
export const OPERATOR_GROUPS: OperatorGroup[] = [
  { type: "Basic", operators: [op("exist", "Exists", "exists"), op("notexist", "Does not exist", "does not exist")] },
  { type: "Text", operators: textOperators() },
  { type: "Number", operators: ORDERED.map(([n, l, w]) => op(`number:${n}`, l, w)) },
  { type: "Date", operators: MOMENTS.map(([n, l, w]) => op(`datetime:${n}`, l, w)) },
  { type: "Time", operators: MOMENTS.map(([n, l, w]) => op(`time:${n}`, l, w)) },
  {
    type: "Array",
    operators: [
      op("array:contains", "Contains", "contains"),
      op("array:contains:ci", "Contains (any case)", "contains (any case)"),
      op("array:notcontains", "Does not contain", "does not contain"),
      ...ORDERED.map(([n, l, w]) => op(`array:${n}`, `Length ${l.toLowerCase()}`, `length ${w}`)),
    ],
  },
  { type: "Boolean", operators: [op("boolean:equal", "Equal to", "="), op("boolean:notequal", "Not equal to", "≠")] },
];

const BY_NAME = new Map(OPERATOR_GROUPS.flatMap((g) => g.operators.map((o) => [o.value, o] as const)));
export const OPERATORS: readonly string[] = [...BY_NAME.keys()];
export const UNARY = new Set(["exist", "notexist"]);

export function isOperator(name: string): boolean {
  return BY_NAME.has(name);
}

// -- stored filter <-> form model ------------------------------------------------------

function operandText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined || value === null) return "";
  return JSON.stringify(value);
}

/** A canonical number stays a number (`b: 100`), any other text stays text. */
function operandValue(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed !== "" && /^-?\d+(\.\d+)?$/.test(trimmed) && String(Number(trimmed)) === trimmed) return Number(trimmed);
  return text;
}

export const emptyRow = (): Row => ({ a: "", o: "text:equal", b: "" });

export function toModel(filter: Filter | null | undefined): FilterModel {
  const label = filter?.label ?? "";
  if (filter?.conditions) {
    const groups = filter.conditions.map((g) => g.map((r) => ({ a: operandText(r.a), o: r.o, b: operandText(r.b) })));
    return { label, mode: "rows", groups, raw: "" };
  }
  if (filter && filter.condition !== undefined && filter.condition !== null) {
    return { label, mode: "raw", groups: [[emptyRow()]], raw: String(filter.condition) };
  }
  return { label, mode: "rows", groups: [[emptyRow()]], raw: "" };
}

/** The filter to store; null when the model holds no condition at all (the step has no filter). */
export function fromModel(model: FilterModel): Filter | null {
  const label = model.label.trim();
  const base: Filter = label ? { label } : {};
  if (model.mode === "raw") {
    return model.raw.trim() === "" ? null : { ...base, condition: model.raw.trim() };
  }
  const groups = model.groups.filter((g) => g.length > 0);
  if (groups.length === 0) return null;
  const conditions = groups.map((g) => g.map((r) => {
    const row: StoredRow = { a: operandValue(r.a), o: r.o };
    if (!UNARY.has(r.o)) row.b = operandValue(r.b);
    return row;
  }));
  return { ...base, conditions };
}

/** Problems that keep the model from being saved, by path in the filter (`conditions[0][1].b`). */
export function validate(model: FilterModel): Problem[] {
  if (model.mode === "raw") {
    return model.raw.trim() === "" ? [{ path: "condition", message: "Write the condition's expression." }] : [];
  }
  const problems: Problem[] = [];
  model.groups.forEach((group, i) => group.forEach((row, j) => {
    const at = `conditions[${i}][${j}]`;
    const n = rowNumber(model.groups, i, j);
    if (!isOperator(row.o)) problems.push({ path: `${at}.o`, message: `Condition ${n}: unknown operator “${row.o}”.` });
    if (row.a.trim() === "") problems.push({ path: `${at}.a`, message: `Condition ${n}: the first operand is empty.` });
    if (!UNARY.has(row.o) && row.b.trim() === "") {
      problems.push({ path: `${at}.b`, message: `Condition ${n}: the second operand is empty.` });
    }
  }));
  if (!model.groups.some((g) => g.length > 0)) problems.push({ path: "conditions", message: "Add a condition." });
  return problems;
}

/** Rows are numbered 1, 2, ... across all groups, as the form shows them. */
export function rowNumber(groups: Row[][], group: number, row: number): number {
  return groups.slice(0, group).reduce((sum, g) => sum + g.length, 0) + row + 1;
}

// -- summary ------------------------------------------------------------------------------

const SIMPLE_PATH = /^[A-Za-z_]\w*(?:\.\w+|\[\d+\])*$/;

/** An operand as a person reads it: `{{ hook.body.amount }}` is "amount". */
function shortOperand(text: string): string {
  const trimmed = text.trim();
  const single = singleExpression(trimmed);
  if (single !== null && SIMPLE_PATH.test(single)) {
    const parts = single.split(".");
    return parts[parts.length - 1] ?? single;
  }
  return single ?? trimmed;
}

function rowSummary(row: Row): string {
  const words = BY_NAME.get(row.o)?.words ?? row.o;
  const a = shortOperand(row.a) || "…";
  return UNARY.has(row.o) ? `${a} ${words}` : `${a} ${words} ${shortOperand(row.b) || "…"}`;
}

/** A readable one-line summary: the label, else the condition ("amount > 10 and status ≠ cancelled"). */
export function summary(filter: Filter | null | undefined, max = 60): string {
  if (!filter) return "";
  if (filter.label) return filter.label;
  let text: string;
  if (filter.conditions) {
    const model = toModel(filter);
    const groups = model.groups.map((g) => g.map(rowSummary).join(" and "));
    text = groups.length > 1 ? groups.map((g) => (g.includes(" and ") ? `(${g})` : g)).join(" or ") : groups[0] ?? "";
  } else {
    const raw = String(filter.condition ?? "");
    text = singleExpression(raw.trim()) ?? raw;
  }
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

// -- structured form -> one expression ------------------------------------------------------

/** The inside of a text that is exactly one `{{ ... }}`, else null. */
export function singleExpression(text: string): string | null {
  const match = /^\{\{([\s\S]*)\}\}$/.exec(text.trim());
  if (!match || match[1] === undefined || match[1].includes("{{") || match[1].includes("}}")) return null;
  return match[1].trim();
}

function literal(text: string): string {
  if (/^-?\d+(\.\d+)?$/.test(text) && String(Number(text)) === text) return text;
  return JSON.stringify(text);
}

/** An operand as an expression: `{{ x }}` is x, a constant its literal, a template its parts joined by ~. */
function operandExpression(text: string, bare = false): string {
  const single = singleExpression(text);
  if (single !== null) return SIMPLE_PATH.test(single) || bare ? single : `(${single})`;
  if (!text.includes("{{")) return bare ? text : literal(text);
  const parts: string[] = [];
  let rest = text;
  while (rest !== "") {
    const start = rest.indexOf("{{");
    const end = start < 0 ? -1 : rest.indexOf("}}", start);
    if (start < 0 || end < 0) { parts.push(JSON.stringify(rest)); break; }
    if (start > 0) parts.push(JSON.stringify(rest.slice(0, start)));
    parts.push(`(${rest.slice(start + 2, end).trim()})`);
    rest = rest.slice(end + 2);
  }
  return `(${parts.join(" ~ ")})`;
}

const COMPARISON: Record<string, string> = {
  equal: "==", notequal: "!=", greater: ">", greaterorequal: ">=", less: "<", lessorequal: "<=",
};

function rowExpression(row: Row): string | null {
  const a = operandExpression(row.a);
  const b = operandExpression(row.b);
  const [type, name = "", ci] = row.o.split(":");
  if (row.o === "exist") return `${a} is not none`;
  if (row.o === "notexist") return `${a} is none`;
  if (type === "number" && COMPARISON[name]) return `${a} ${COMPARISON[name]} ${b}`;
  if (type === "array" && COMPARISON[name]) return `${a} | length ${COMPARISON[name]} ${b}`;
  if (row.o === "array:contains") return `${b} in ${a} | list`;
  if (row.o === "array:notcontains") return `${b} not in ${a} | list`;
  if (type === "boolean" && (row.b.trim() === "true" || row.b.trim() === "false")) {
    return `${a} ${name === "equal" ? "==" : "!="} ${row.b.trim()}`;
  }
  if (type === "text") {
    const [left, right] = ci ? [`${a} | lower`, `${b} | lower`] : [a, b];
    if (name === "equal") return `${left} == ${right}`;
    if (name === "notequal") return `${left} != ${right}`;
    if (name === "contains") return `${right} in ${left}`;
    if (name === "notcontains") return `${right} not in ${left}`;
  }
  return null;
}

/** The structured rows as one equivalent expression `{{ ... }}`, or why there is none. */
export function rowsToExpression(groups: Row[][]): Converted<string> {
  const written: string[][] = [];
  for (const [i, group] of groups.entries()) {
    const rows: string[] = [];
    for (const [j, row] of group.entries()) {
      const n = rowNumber(groups, i, j);
      if (row.a.trim() === "" || (!UNARY.has(row.o) && row.b.trim() === "")) {
        return { ok: false, message: `Condition ${n} has an empty operand; fill it in or remove it first.` };
      }
      const expression = rowExpression(row);
      if (expression === null) {
        const label = BY_NAME.get(row.o)?.label.toLowerCase() ?? row.o;
        return { ok: false, message: `Condition ${n} (${row.o}, “${label}”) has no expression form; change its operator or keep the condition builder.` };
      }
      rows.push(expression);
    }
    if (rows.length) written.push(rows);
  }
  if (written.length === 0) return { ok: true, value: "" };
  const body = written.map((rows) => (written.length > 1 && rows.length > 1 ? `(${rows.join(" and ")})` : rows.join(" and ")));
  return { ok: true, value: `{{ ${body.join(" or ")} }}` };
}

// -- one expression -> structured form ------------------------------------------------------

interface Token {
  kind: "word" | "op" | "open" | "close" | "other";
  text: string;
  start: number;
  end: number;
}

const TOKEN = /\s*(?:("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(-?\d+(?:\.\d+)?)|([A-Za-z_]\w*)|(==|!=|>=|<=|[<>])|([([{])|([)\]}])|(\S))/gy;

function tokenize(source: string): Token[] | null {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  let match: RegExpExecArray | null;
  while (TOKEN.lastIndex < source.length && (match = TOKEN.exec(source)) !== null) {
    const text = match[0].trim();
    if (text === "") break;
    const start = match.index + match[0].indexOf(text);
    const kind: Token["kind"] = match[4] ? "op" : match[5] ? "open" : match[6] ? "close" : match[3] ? "word" : "other";
    tokens.push({ kind, text, start, end: start + text.length });
  }
  return tokens;
}

/** Splits tokens at depth 0 where `at` says so. */
function splitTop(tokens: Token[], at: (t: Token) => boolean): Token[][] | null {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const token of tokens) {
    if (token.kind === "open") depth += 1;
    if (token.kind === "close") depth -= 1;
    if (depth < 0) return null;
    if (depth === 0 && at(token)) parts.push([]);
    else parts[parts.length - 1]?.push(token);
  }
  return depth === 0 ? parts : null;
}

function wrapped(tokens: Token[]): boolean {
  if (tokens[0]?.text !== "(" || tokens[tokens.length - 1]?.text !== ")") return false;
  let depth = 0;
  for (const [i, token] of tokens.entries()) {
    if (token.kind === "open") depth += 1;
    if (token.kind === "close") depth -= 1;
    if (depth === 0 && i < tokens.length - 1) return false;
  }
  return true;
}

interface Side {
  text: string;
  filter: string | null;
}

/** An operand's tokens back as form text; a trailing `| lower`, `| length` or `| list` is reported. */
function side(tokens: Token[], source: string): Side | null {
  let filter: string | null = null;
  let body = tokens;
  const n = body.length;
  if (n >= 3 && body[n - 2]?.text === "|" && ["lower", "length", "list"].includes(body[n - 1]?.text ?? "")) {
    filter = body[n - 1]?.text ?? null;
    body = body.slice(0, n - 2);
  }
  if (body.length === 0) return null;
  if (wrapped(body) && body.length > 2) body = body.slice(1, -1);
  const first = body[0];
  const last = body[body.length - 1];
  if (!first || !last) return null;
  const text = source.slice(first.start, last.end);
  if (body.length === 1 && /^["']/.test(text)) {
    try {
      return { text: text.startsWith('"') ? (JSON.parse(text) as string) : text.slice(1, -1), filter };
    } catch {
      return { text: `{{ ${text} }}`, filter };
    }
  }
  if (body.length === 1 && (/^-?\d/.test(text) || text === "true" || text === "false")) return { text, filter };
  return { text: `{{ ${text} }}`, filter };
}

const BACK: Record<string, string> = {
  "==": "equal", "!=": "notequal", ">": "greater", ">=": "greaterorequal", "<": "less", "<=": "lessorequal",
};

function parseRow(tokens: Token[], source: string): Row | null {
  const words = tokens.map((t) => t.text);
  const isAt = words.indexOf("is");
  if (isAt > 0 && words.length === isAt + 2 && words[isAt + 1] === "none") {
    const a = side(tokens.slice(0, isAt), source);
    return a && !a.filter ? { a: a.text, o: "notexist", b: "" } : null;
  }
  if (isAt > 0 && words.length === isAt + 3 && words[isAt + 1] === "not" && words[isAt + 2] === "none") {
    const a = side(tokens.slice(0, isAt), source);
    return a && !a.filter ? { a: a.text, o: "exist", b: "" } : null;
  }
  let comparator = "";
  const parts = splitTop(tokens, (t) => {
    const hit = t.kind === "op" || t.text === "in";
    if (hit) comparator = t.text;
    return hit;
  });
  if (!parts || parts.length !== 2) return null;
  let left = parts[0] ?? [];
  let negated = false;
  if (comparator === "in" && left[left.length - 1]?.text === "not") { left = left.slice(0, -1); negated = true; }
  const a = side(left, source);
  const b = side(parts[1] ?? [], source);
  if (!a || !b) return null;
  if (comparator === "in") {
    const [needle, haystack] = [a, b];
    if (haystack.filter === "list" && !needle.filter) {
      return { a: haystack.text, o: negated ? "array:notcontains" : "array:contains", b: needle.text };
    }
    const ci = haystack.filter === "lower" && needle.filter === "lower";
    if (!ci && (haystack.filter || needle.filter)) return null;
    return { a: haystack.text, o: `text:${negated ? "notcontains" : "contains"}${ci ? ":ci" : ""}`, b: needle.text };
  }
  const name = BACK[comparator];
  if (!name) return null;
  if (a.filter === "length" && !b.filter) return { a: a.text, o: `array:${name}`, b: b.text };
  if (a.filter === "lower" && b.filter === "lower" && (name === "equal" || name === "notequal")) {
    return { a: a.text, o: `text:${name}:ci`, b: b.text };
  }
  if (a.filter || b.filter) return null;
  if (name !== "equal" && name !== "notequal") return { a: a.text, o: `number:${name}`, b: b.text };
  if (b.text === "true" || b.text === "false") return { a: a.text, o: `boolean:${name}`, b: b.text };
  if (/^-?\d+(\.\d+)?$/.test(b.text)) return { a: a.text, o: `number:${name}`, b: b.text };
  return { a: a.text, o: `text:${name}`, b: b.text };
}

/** One raw expression back as OR groups of AND rows, or why it cannot be. */
export function expressionToRows(raw: string): Converted<Row[][]> {
  const refuse = (message: string): Converted<Row[][]> => ({ ok: false, message });
  if (raw.trim() === "") return { ok: true, value: [[emptyRow()]] };
  const inner = singleExpression(raw);
  if (inner === null) return refuse("The condition builder takes one expression written as {{ … }}; keep the raw expression or rewrite it.");
  const tokens = tokenize(inner);
  const groups = tokens && splitTop(tokens, (t) => t.text === "or");
  if (!groups) return refuse("The expression's parentheses do not match; keep the raw expression.");
  const found: Row[][] = [];
  for (const group of groups) {
    const body = wrapped(group) ? group.slice(1, -1) : group;
    const rows = splitTop(body, (t) => t.text === "and");
    if (!rows) return refuse("The expression's parentheses do not match; keep the raw expression.");
    const parsed: Row[] = [];
    for (const rowTokens of rows) {
      const row = rowTokens.length ? parseRow(rowTokens, inner) : null;
      if (!row) {
        const text = rowTokens.length ? inner.slice(rowTokens[0]!.start, rowTokens[rowTokens.length - 1]!.end) : "";
        return refuse(`“${text || inner}” is not a comparison the condition builder can show (such as a > b, a == "x", b in a, a is none); keep the raw expression.`);
      }
      parsed.push(row);
    }
    found.push(parsed);
  }
  return { ok: true, value: found };
}
