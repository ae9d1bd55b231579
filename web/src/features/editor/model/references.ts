/**
 * Step references inside expressions: `{{ shape.name }}`, `{% if hook.body.ok %}`.
 *
 * Only the text between `{{ }}` and `{% %}` is read, string literals are skipped, and an
 * identifier counts as a reference to a step when it starts a path: it is not an attribute
 * (`a.shape`), not a filter (`| upper`), not a call (`upper(x)`), not a keyword. Renaming a
 * step rewrites exactly those; the check before saving flags the roots followed by `.` or `[`
 * that name no step (a bare `{{ name }}` may be a loop variable, so it is not flagged).
 */
import {
  allItems, isIfElse, isRouter, isStep, usedIds,
  type Definition, type FlowItem, type Json,
} from "./definition";

const KEYWORDS = new Set([
  "true", "false", "none", "null", "and", "or", "not", "in", "is", "if", "else", "elif", "endif",
  "for", "endfor", "set", "endset", "with", "endwith", "loop", "recursive", "True", "False", "None",
]);
/** Names the engine provides besides the steps: the error in a handler. */
const PROVIDED = new Set(["error"]);

const BLOCK = /\{\{([\s\S]*?)\}\}|\{%([\s\S]*?)%\}/g;

interface Token {
  name: string;
  start: number;
  end: number;
  /** The next non-space character after it ("" at the end). */
  next: string;
}

/** The identifiers of one expression body that start a path. */
function roots(body: string): Token[] {
  const found: Token[] = [];
  let i = 0;
  let previous = "";
  while (i < body.length) {
    const ch = body[i] ?? "";
    if (ch === "'" || ch === '"') {
      const close = body.indexOf(ch, i + 1);
      i = close < 0 ? body.length : close + 1;
      previous = ch;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(body.slice(i));
    if (ident) {
      const name = ident[0];
      const end = i + name.length;
      const rest = body.slice(end);
      const next = rest.trimStart()[0] ?? "";
      const attribute = previous === "." || previous === "|";
      if (!attribute && next !== "(" && !KEYWORDS.has(name)) found.push({ name, start: i, end, next });
      previous = "a";
      i = end;
      continue;
    }
    if (/\d/.test(ch)) {
      const num = /^\d+(\.\d+)?/.exec(body.slice(i))?.[0] ?? ch;
      i += num.length;
      previous = "0";
      continue;
    }
    if (!/\s/.test(ch)) previous = ch;
    i += 1;
  }
  return found;
}

/** Each expression block of `text` with its body's offset. */
function blocks(text: string): { body: string; offset: number }[] {
  const found: { body: string; offset: number }[] = [];
  for (const match of text.matchAll(BLOCK)) {
    const body = match[1] ?? match[2] ?? "";
    found.push({ body, offset: (match.index ?? 0) + 2 });
  }
  return found;
}

/** `text` with every reference to step `from` named `to`. */
export function renameInText(text: string, from: string, to: string): string {
  if (!text.includes(from)) return text;
  const edits: [number, number][] = [];
  for (const { body, offset } of blocks(text)) {
    for (const token of roots(body)) if (token.name === from) edits.push([offset + token.start, offset + token.end]);
  }
  let out = text;
  for (const [start, end] of edits.reverse()) out = out.slice(0, start) + to + out.slice(end);
  return out;
}

/** The step names that `text` reads as paths (`x.y`, `x[0]`). */
export function pathRoots(text: string): string[] {
  const names: string[] = [];
  for (const { body } of blocks(text)) {
    for (const token of roots(body)) if (token.next === "." || token.next === "[") names.push(token.name);
  }
  return names;
}

function mapStrings(value: Json, change: (text: string) => string): Json {
  if (typeof value === "string") return change(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, change));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, change)]));
  }
  return value;
}

function eachString(value: unknown, visit: (text: string, path: string) => void, path: string): void {
  if (typeof value === "string") visit(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => eachString(v, visit, `${path}[${i}]`));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) eachString(v, visit, path ? `${path}.${k}` : k);
  }
}

function renameItem(item: FlowItem, from: string, to: string): FlowItem {
  const text = (value: Json) => mapStrings(value, (s) => renameInText(s, from, to));
  const flows = (flow: FlowItem[]) => flow.map((inner) => renameItem(inner, from, to));
  const own = item.id === from ? to : item.id;
  if (isRouter(item)) {
    return { ...item, id: own, router: item.router.map((route) => ({
      ...route, ...(route.filter ? { filter: text(route.filter as Json) as typeof route.filter } : {}), flow: flows(route.flow),
    })) };
  }
  if (isIfElse(item)) {
    return {
      ...item, id: own,
      if_else: item.if_else.map((branch) => ({ ...(text({ ...branch, flow: [] } as unknown as Json) as object), flow: flows(branch.flow) } as typeof branch)),
      ...(item.else ? { else: { flow: flows(item.else.flow) } } : {}),
    };
  }
  const step = { ...item, id: own };
  if (step.params) {
    step.params = text(step.params) as Record<string, Json>;
    // an aggregator names its iterator by id, not by expression
    if (step.module === "flow.array_aggregator" && step.params.source === from) step.params.source = to;
  }
  if (step.filter) step.filter = text(step.filter as Json) as typeof step.filter;
  if (step.on_error) {
    step.on_error = {
      ...step.on_error,
      ...(step.on_error.output ? { output: text(step.on_error.output) as Record<string, Json> } : {}),
      ...(step.on_error.flow ? { flow: flows(step.on_error.flow) } : {}),
    };
  }
  return step;
}

/** The definition with step `from` renamed `to`, and every expression that refers to it rewritten. */
export function renameStep(definition: Definition, from: string, to: string): Definition {
  const next: Definition = { ...definition, flow: definition.flow.map((item) => renameItem(item, from, to)) };
  if (definition.trigger) next.trigger = renameItem(definition.trigger, from, to) as typeof definition.trigger;
  return next;
}

export interface DanglingReference {
  /** The item whose expression it is. */
  step: string;
  /** Where in the item, as the API names paths ("params.url", "filter.condition"). */
  path: string;
  name: string;
}

/** Expressions that read a step that does not exist (before saving, as the API would refuse them). */
export function danglingReferences(definition: Definition): DanglingReference[] {
  const known = usedIds(definition);
  const found: DanglingReference[] = [];
  const check = (owner: string, value: unknown, path: string) => eachString(value, (text, at) => {
    for (const name of pathRoots(text)) {
      if (!known.has(name) && !PROVIDED.has(name)) found.push({ step: owner, path: at, name });
    }
  }, path);
  const items = definition.trigger ? [definition.trigger, ...allItems(definition).map((l) => l.item)]
    : allItems(definition).map((l) => l.item);
  for (const item of items) {
    if (isStep(item)) {
      check(item.id, item.params, "params");
      check(item.id, item.filter, "filter");
      check(item.id, item.on_error?.output, "on_error.output");
    } else if (isRouter(item)) {
      item.router.forEach((route, i) => check(item.id, route.filter, `router[${i}].filter`));
    } else {
      item.if_else.forEach((branch, i) => check(item.id, { ...branch, flow: undefined }, `if_else[${i}]`));
    }
  }
  return found;
}
