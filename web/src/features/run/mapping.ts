/** The mapping panel's data (pure): the steps before a step, and the structure of each one's output. */
import type { Execution } from "@/features/inspector";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export interface EarlierStep {
  id: string;
  module: string;
  params: Json;
}

function asStep(item: unknown): EarlierStep | null {
  if (!isObject(item) || typeof item.id !== "string" || typeof item.module !== "string") return null;
  return { id: item.id, module: item.module, params: isObject(item.params) ? item.params : {} };
}

function flowOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Every step of a flow, nested ones included, in order. */
function allSteps(flow: unknown[]): EarlierStep[] {
  const found: EarlierStep[] = [];
  for (const item of flow) {
    if (!isObject(item)) continue;
    const step = asStep(item);
    if (step) found.push(step);
    for (const route of flowOf(item.router)) found.push(...allSteps(isObject(route) ? flowOf(route.flow) : []));
    for (const branch of flowOf(item.if_else)) found.push(...allSteps(isObject(branch) ? flowOf(branch.flow) : []));
    if (isObject(item.else)) found.push(...allSteps(flowOf(item.else.flow)));
  }
  return found;
}

/** The steps seen before `target` in `flow` (after `seen`), or null when `target` is not in it. A route or
 * branch sees the steps on its path; steps after an if-else block see every branch's steps (Make's merge). */
function pathTo(flow: unknown[], target: string, seen: EarlierStep[]): EarlierStep[] | null {
  let before = seen;
  for (const item of flow) {
    if (!isObject(item)) continue;
    if (item.id === target) return before;
    const nested = [...flowOf(item.router), ...flowOf(item.if_else), ...(isObject(item.else) ? [item.else] : [])];
    // an error handler sees what its failed step saw
    for (const part of [...nested, ...(isObject(item.on_error) ? [item.on_error] : [])]) {
      const found = isObject(part) ? pathTo(flowOf(part.flow), target, before) : null;
      if (found) return found;
    }
    const step = asStep(item);
    if (step) before = [...before, step];
    else before = [...before, ...allSteps(nested.map((part) => (isObject(part) ? part.flow : [])).flat())];
  }
  return null;
}

/** Whether `stepId` is a step of an error handler (where `{{ error.* }}` can be mapped). */
export function inErrorHandler(definition: unknown, stepId: string | null): boolean {
  const search = (flow: unknown[], handling: boolean): boolean => flow.some((item) => {
    if (!isObject(item)) return false;
    if (item.id === stepId) return handling;
    const parts = [...flowOf(item.router), ...flowOf(item.if_else), ...(isObject(item.else) ? [item.else] : [])];
    if (parts.some((part) => isObject(part) && search(flowOf(part.flow), handling))) return true;
    return isObject(item.on_error) && search(flowOf(item.on_error.flow), true);
  });
  return stepId !== null && isObject(definition) && search(flowOf(definition.flow), false);
}

/** What an error handler's steps may map of the error (contract section 3). */
export const ERROR_OUTPUT: StepOutput = {
  step: { id: "error", module: "", params: {} },
  source: "error",
  tree: ["type", "message", "step"].map((key) => ({ key, path: `error.${key}`, type: "string", sample: null, children: [] })),
};

/** The steps whose output `stepId` may map, the trigger first; every step when `stepId` is null or unknown
 * (a field of a step not yet in the definition). */
export function stepsBefore(definition: unknown, stepId: string | null): EarlierStep[] {
  if (!isObject(definition)) return [];
  const trigger = asStep(definition.trigger);
  if (trigger && trigger.id === stepId) return [];
  const start = trigger ? [trigger] : [];
  const flow = flowOf(definition.flow);
  return (stepId !== null && pathTo(flow, stepId, start)) || [...start, ...allSteps(flow)];
}

export interface OutputNode {
  /** The key as shown: a name, or `[0]` for an array's first item. */
  key: string;
  /** What to write after `{{ ` to read it: `hook.body.items[0].name`. */
  path: string;
  /** "object", "array", a JSON Schema type, or the type of a seen value. */
  type: string;
  /** A seen value's text (scalars only), else null. */
  sample: string | null;
  children: OutputNode[];
}

export type OutputSource = "run" | "schema" | "variables" | "none" | "error";

export interface StepOutput {
  step: EarlierStep;
  source: OutputSource;
  tree: OutputNode[];
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_CHILDREN = 100;
const MAX_DEPTH = 8;

/** `base.key`, or `base["my key"]` for a key that is no identifier. */
export function childPath(base: string, key: string): string {
  return IDENTIFIER.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value === "object" ? "object" : typeof value;
}

function sampleOf(value: unknown): string | null {
  if (value === null || typeof value === "object" || value === undefined) return null;
  const text = String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The tree of a value seen in a run: an object's keys, an array's first item as `[0]`. */
export function treeFromValue(value: unknown, path: string, depth = 0): OutputNode[] {
  if (depth >= MAX_DEPTH) return [];
  if (Array.isArray(value)) {
    return value.length === 0 ? [] : [nodeFromValue("[0]", `${path}[0]`, value[0], depth)];
  }
  if (!isObject(value)) return [];
  return Object.entries(value).slice(0, MAX_CHILDREN)
    .map(([key, child]) => nodeFromValue(key, childPath(path, key), child, depth));
}

function nodeFromValue(key: string, path: string, value: unknown, depth: number): OutputNode {
  return { key, path, type: typeOf(value), sample: sampleOf(value), children: treeFromValue(value, path, depth + 1) };
}

function schemaType(schema: Json): string {
  if (typeof schema.type === "string") return schema.type;
  if (Array.isArray(schema.type)) return schema.type.filter((t) => t !== "null").join(" or ") || "any";
  if (isObject(schema.properties)) return "object";
  return "any";
}

/** The tree of a declared JSON Schema: its properties, an array's `items` as `[0]`. */
export function treeFromSchema(schema: unknown, path: string, depth = 0): OutputNode[] {
  if (!isObject(schema) || depth >= MAX_DEPTH) return [];
  if (isObject(schema.items)) return [nodeFromSchema("[0]", `${path}[0]`, schema.items, depth)];
  if (!isObject(schema.properties)) return [];
  return Object.entries(schema.properties).slice(0, MAX_CHILDREN)
    .map(([key, child]) => nodeFromSchema(key, childPath(path, key), child, depth));
}

function nodeFromSchema(key: string, path: string, schema: unknown, depth: number): OutputNode {
  const type = isObject(schema) ? schemaType(schema) : "any";
  return { key, path, type, sample: null, children: treeFromSchema(schema, path, depth + 1) };
}

/** The step's last real output in the execution's log (an entry with an output), or undefined. */
export function lastOutput(execution: Execution | null | undefined, step: string): unknown {
  const entries = execution?.log ?? [];
  for (let i = entries.length - 1; i >= 0; i -= 1) {
    const entry = entries[i];
    if (entry && entry.step === step && entry.output !== undefined && entry.output !== null) return entry.output;
  }
  return undefined;
}

/** Module key -> the JSON Schema of one output bundle, from `GET /apps` (modules that declare none are left out). */
export function moduleOutputs(apps: unknown): Map<string, unknown> {
  const outputs = new Map<string, unknown>();
  for (const app of Array.isArray(apps) ? apps : []) {
    for (const module of isObject(app) ? flowOf(app.modules) : []) {
      if (isObject(module) && typeof module.key === "string" && isObject(module.output)) outputs.set(module.key, module.output);
    }
  }
  return outputs;
}

/** A step's output structure: from the run, else the module's declared schema, else (set variables) the
 * variables' names. */
export function stepOutput(step: EarlierStep, execution: Execution | null | undefined,
  outputs: ReadonlyMap<string, unknown>): StepOutput {
  const schema = outputs.get(step.module);
  let seen = lastOutput(execution, step.id);
  // a module emitting several bundles (an iterator) logs them as an array: the step reads as one bundle
  if (Array.isArray(seen) && isObject(schema) && schemaType(schema) === "object") seen = seen[0];
  if (seen !== undefined) return { step, source: "run", tree: treeFromValue(seen, step.id) };
  if (schema !== undefined) return { step, source: "schema", tree: treeFromSchema(schema, step.id) };
  if (step.module === "tools.set_variables" && isObject(step.params.variables)) {
    const tree = Object.keys(step.params.variables)
      .map((key) => ({ key, path: childPath(step.id, key), type: "any", sample: null, children: [] }));
    return { step, source: "variables", tree };
  }
  return { step, source: "none", tree: [] };
}

/** The text to insert for a field: `{{ path }}`. */
export function reference(path: string): string {
  return `{{ ${path} }}`;
}
