/** The parts of a scenario definition the panels edit (docs/scenarios.md), as pure functions on it. */
import type { Filter } from "./filter";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type DefinitionObject = { [key: string]: unknown };

export type Schedule =
  | { type: "immediately" }
  | { type: "interval"; minutes: number }
  | { type: "cron"; expression: string; timezone?: string }
  | { type: "on_demand" };

export interface Settings {
  confidential?: boolean;
  store_incomplete?: boolean;
  sequential?: boolean;
  max_consecutive_errors?: number;
  max_cycles?: number;
  timeout_seconds?: number;
  timezone?: string;
  respond_on_error?: boolean;
}

/** The defaults of docs/scenarios.md, "Settings". */
export const SETTING_DEFAULTS = {
  confidential: false, store_incomplete: true, sequential: false, max_consecutive_errors: 3, timezone: "UTC",
  respond_on_error: true,
} as const;

export interface StepInfo {
  id: string;
  module: string;
  filter: Filter | null;
}

function isObject(value: unknown): value is DefinitionObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function flows(item: DefinitionObject): unknown[][] {
  const found: unknown[][] = [];
  for (const key of ["router", "if_else"]) {
    const branches = item[key];
    if (Array.isArray(branches)) for (const b of branches) if (isObject(b) && Array.isArray(b.flow)) found.push(b.flow);
  }
  const otherwise = item.else;
  if (isObject(otherwise) && Array.isArray(otherwise.flow)) found.push(otherwise.flow);
  return found;
}

/** Every step of the flow, routes and branches included, in reading order. */
export function listSteps(definition: DefinitionObject): StepInfo[] {
  const found: StepInfo[] = [];
  const walk = (flow: unknown): void => {
    if (!Array.isArray(flow)) return;
    for (const item of flow) {
      if (!isObject(item)) continue;
      if (typeof item.module === "string" && typeof item.id === "string") {
        found.push({ id: item.id, module: item.module, filter: isObject(item.filter) ? (item.filter as Filter) : null });
      }
      for (const inner of flows(item)) walk(inner);
    }
  };
  walk(definition.flow);
  return found;
}

/** The definition with step `id`'s filter replaced (null removes it). */
export function setStepFilter(definition: DefinitionObject, id: string, filter: Filter | null): DefinitionObject {
  const mapFlow = (flow: unknown): unknown => {
    if (!Array.isArray(flow)) return flow;
    return flow.map((item: unknown) => {
      if (!isObject(item)) return item;
      if (item.id === id && typeof item.module === "string") {
        const { filter: _old, ...rest } = item;
        return filter ? { ...rest, filter } : rest;
      }
      const copy: DefinitionObject = { ...item };
      for (const key of ["router", "if_else"]) {
        if (Array.isArray(copy[key])) {
          copy[key] = (copy[key] as unknown[]).map((b) => (isObject(b) ? { ...b, flow: mapFlow(b.flow) } : b));
        }
      }
      if (isObject(copy.else)) copy.else = { ...copy.else, flow: mapFlow(copy.else.flow) };
      return copy;
    });
  };
  return { ...definition, flow: mapFlow(definition.flow) };
}

export function scheduleOf(definition: DefinitionObject): Schedule {
  const schedule = definition.schedule;
  return isObject(schedule) && typeof schedule.type === "string" ? (schedule as unknown as Schedule) : { type: "on_demand" };
}

export function settingsOf(definition: DefinitionObject): Settings {
  return isObject(definition.settings) ? (definition.settings as Settings) : {};
}
