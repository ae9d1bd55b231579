/** A scenario definition (contract section 3) read defensively into the shapes the canvas draws. */

export interface StepItem {
  kind: "step";
  id: string;
  module: string;
  /** The filter's label ("Filter" when it has none), or null when the step has no filter. */
  filter: string | null;
  /** The step's error handler: its directive and the steps it runs first; null without one. */
  handler: { directive: string; flow: FlowItem[] } | null;
}

export interface RouteItem {
  label: string | null;
  fallback: boolean;
  filter: string | null;
  flow: FlowItem[];
}

export interface RouterItem {
  kind: "router";
  id: string;
  routes: RouteItem[];
}

export interface BranchItem {
  label: string | null;
  flow: FlowItem[];
}

export interface IfElseItem {
  kind: "if_else";
  id: string;
  branches: BranchItem[];
  /** The `else` flow, or null when the block has none. */
  otherwise: FlowItem[] | null;
}

export type FlowItem = StepItem | RouterItem | IfElseItem;

export interface ScenarioShape {
  trigger: { id: string; module: string } | null;
  flow: FlowItem[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function filterLabel(filter: unknown): string | null {
  if (!isObject(filter)) return null;
  return text(filter.label) ?? "Filter";
}

function readItem(item: unknown): FlowItem | null {
  if (!isObject(item) || typeof item.id !== "string") return null;
  if (Array.isArray(item.router)) {
    const routes = item.router.filter(isObject).map((route) => ({
      label: text(route.label), fallback: route.fallback === true, filter: filterLabel(route.filter),
      flow: readFlow(route.flow),
    }));
    return { kind: "router", id: item.id, routes };
  }
  if (Array.isArray(item.if_else)) {
    const branches = item.if_else.filter(isObject).map((branch) => ({ label: text(branch.label), flow: readFlow(branch.flow) }));
    const otherwise = isObject(item.else) ? readFlow(item.else.flow) : null;
    return { kind: "if_else", id: item.id, branches, otherwise };
  }
  const onError = item.on_error;
  const handler = isObject(onError) && typeof onError.directive === "string"
    ? { directive: onError.directive, flow: readFlow(onError.flow) } : null;
  return {
    kind: "step", id: item.id, module: typeof item.module === "string" ? item.module : "", filter: filterLabel(item.filter), handler,
  };
}

export function readFlow(flow: unknown): FlowItem[] {
  if (!Array.isArray(flow)) return [];
  return flow.map(readItem).filter((item): item is FlowItem => item !== null);
}

/** The trigger and the flow of a definition; whatever is not of the expected shape is left out. */
export function readDefinition(definition: unknown): ScenarioShape {
  if (!isObject(definition)) return { trigger: null, flow: [] };
  const trigger = definition.trigger;
  return {
    trigger: isObject(trigger) && typeof trigger.id === "string"
      ? { id: trigger.id, module: typeof trigger.module === "string" ? trigger.module : "" }
      : null,
    flow: readFlow(definition.flow),
  };
}
