/**
 * The scenario definition as the editor edits it (CONTRACT section 3): pure functions that
 * return a new definition and never change the one given, so that undo can keep every state.
 *
 * A flow is a list of items: steps, routers (routes, each with its own flow) and if-else
 * blocks (branches and an else, each with a flow). Places where an item can go are named
 * by a `Slot`: a flow (the main one, a route's, a branch's, the else's or an error
 * handler's) and an index in it.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Filter {
  label?: string;
  condition?: string;
  conditions?: { a: string; o: string; b?: string }[][];
}

export interface OnError {
  directive: "ignore" | "resume" | "break" | "commit" | "rollback";
  output?: Record<string, Json>;
  flow?: FlowItem[];
}

export interface Step {
  id: string;
  module: string;
  params?: Record<string, Json>;
  connection?: string;
  filter?: Filter;
  on_error?: OnError;
}

export interface Route {
  label?: string;
  filter?: Filter;
  fallback?: boolean;
  flow: FlowItem[];
}

export interface Router {
  id: string;
  router: Route[];
}

export interface Branch {
  label?: string;
  condition?: string;
  conditions?: Filter["conditions"];
  flow: FlowItem[];
}

export interface IfElse {
  id: string;
  if_else: Branch[];
  else?: { flow: FlowItem[] };
}

export type FlowItem = Step | Router | IfElse;

export interface Definition {
  name: string;
  trigger?: Step;
  schedule?: Record<string, Json>;
  flow: FlowItem[];
  settings?: Record<string, Json>;
  ui?: Record<string, Json>;
  [key: string]: unknown;
}

/** Where an item sits: the flow that holds it, as a path of keys from the definition. */
export type FlowPath = (string | number)[];

export interface Slot {
  flow: FlowPath;
  index: number;
}

export function isRouter(item: FlowItem): item is Router {
  return Array.isArray((item as Router).router);
}

export function isIfElse(item: FlowItem): item is IfElse {
  return Array.isArray((item as IfElse).if_else);
}

export function isStep(item: FlowItem): item is Step {
  return !isRouter(item) && !isIfElse(item);
}

/** Every flow inside an item (routes, branches, else, error handler), with its path relative to the item. */
export function innerFlows(item: FlowItem): [FlowPath, FlowItem[]][] {
  if (isRouter(item)) return item.router.map((route, i) => [["router", i, "flow"], route.flow]);
  if (isIfElse(item)) {
    const branches: [FlowPath, FlowItem[]][] = item.if_else.map((branch, i) => [["if_else", i, "flow"], branch.flow]);
    return item.else ? [...branches, [["else", "flow"], item.else.flow]] : branches;
  }
  return item.on_error?.flow ? [[["on_error", "flow"], item.on_error.flow]] : [];
}

export interface Located {
  item: FlowItem;
  slot: Slot;
}

/** Every item of the definition (the trigger excepted), depth-first in flow order, with where it is. */
export function allItems(definition: Definition): Located[] {
  const found: Located[] = [];
  const walk = (flow: FlowItem[], path: FlowPath) => {
    flow.forEach((item, index) => {
      found.push({ item, slot: { flow: path, index } });
      for (const [inner, items] of innerFlows(item)) walk(items, [...path, index, ...inner]);
    });
  };
  walk(definition.flow, ["flow"]);
  return found;
}

/** The ids in use: the trigger's and every item's. */
export function usedIds(definition: Definition): Set<string> {
  const ids = new Set(allItems(definition).map(({ item }) => item.id));
  if (definition.trigger) ids.add(definition.trigger.id);
  return ids;
}

export function locate(definition: Definition, id: string): Located | undefined {
  return allItems(definition).find(({ item }) => item.id === id);
}

const ID_PATTERN = /^[a-z][a-z0-9_]*$/;

/** Why `id` cannot name a step of `definition` (null when it can). */
export function idProblem(definition: Definition, id: string, current?: string): string | null {
  if (!ID_PATTERN.test(id)) return "An id starts with a small letter and holds only small letters, digits and _";
  if (id !== current && usedIds(definition).has(id)) return `Another step is already called ${id}`;
  return null;
}

/** A free id from a module name: "http.request" -> "request", then "request_2", ... */
export function freshId(definition: Definition, module: string, taken: Set<string> = usedIds(definition)): string {
  const tail = module.split(".").pop() ?? "step";
  const base = tail.toLowerCase().replace(/[^a-z0-9_]/g, "_").replace(/^[^a-z]+/, "") || "step";
  if (!taken.has(base)) return base;
  for (let n = 2; ; n += 1) if (!taken.has(`${base}_${n}`)) return `${base}_${n}`;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** The flow list at `path` inside `root` (which must be a clone to change it). */
function flowAt(root: Definition, path: FlowPath, create = false): FlowItem[] {
  let node: unknown = root;
  path.forEach((key, i) => {
    const parent = node as Record<string | number, unknown>;
    if (create && i === path.length - 1 && parent[key] === undefined) parent[key] = []; // an error handler's first step
    node = parent[key];
  });
  if (!Array.isArray(node)) throw new Error(`no flow at ${path.join(".")}`);
  return node as FlowItem[];
}

/** `item` inserted at `slot`. */
export function insertAt(definition: Definition, slot: Slot, item: FlowItem): Definition {
  const next = clone(definition);
  flowAt(next, slot.flow, true).splice(slot.index, 0, clone(item));
  return next;
}

/** The slot right after the item `id` (in its flow), or the end of the main flow. */
export function slotAfter(definition: Definition, id: string | null): Slot {
  if (id !== null && definition.trigger?.id !== id) {
    const found = locate(definition, id);
    if (found) return { flow: found.slot.flow, index: found.slot.index + 1 };
  }
  return { flow: ["flow"], index: id === null ? definition.flow.length : 0 };
}

/** The definition without the item `id` (and what it held). */
export function removeItem(definition: Definition, id: string): Definition {
  const found = locate(definition, id);
  if (!found) return definition;
  const next = clone(definition);
  flowAt(next, found.slot.flow).splice(found.slot.index, 1);
  return next;
}

/** The definition with the item `id` replaced by `change(item)`. */
export function updateItem(definition: Definition, id: string, change: (item: FlowItem) => FlowItem): Definition {
  const next = clone(definition);
  if (next.trigger?.id === id) {
    next.trigger = change(next.trigger) as Step;
    return next;
  }
  const found = locate(next, id);
  if (!found) return definition;
  flowAt(next, found.slot.flow)[found.slot.index] = change(found.item);
  return next;
}

/** A new step of `module` with a fresh id. */
export function newStep(definition: Definition, module: string): Step {
  return { id: freshId(definition, module), module, params: {} };
}

/** A router with two routes, the second the fallback. */
export function newRouter(definition: Definition): Router {
  return { id: freshId(definition, "router"), router: [{ label: "Route 1", flow: [] }, { label: "Fallback", fallback: true, flow: [] }] };
}

/** An if-else block with one branch and an else. */
export function newIfElse(definition: Definition): IfElse {
  return { id: freshId(definition, "if_else"), if_else: [{ label: "If", condition: "{{ true }}", flow: [] }], else: { flow: [] } };
}
