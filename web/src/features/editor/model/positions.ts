/** Where the user dragged the steps: `ui.positions` `{id: {x, y}}` in the definition (the engine ignores `ui`). */
import type { Definition, Json } from "./definition";

export interface Point {
  x: number;
  y: number;
}

export function positionsOf(definition: Definition): Map<string, Point> {
  const found = new Map<string, Point>();
  const raw = definition.ui?.positions;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return found;
  for (const [id, point] of Object.entries(raw)) {
    if (point && typeof point === "object" && !Array.isArray(point) && typeof point.x === "number" && typeof point.y === "number") {
      found.set(id, { x: point.x, y: point.y });
    }
  }
  return found;
}

/** The definition with `id` kept at `point` (rounded to whole pixels). */
export function moved(definition: Definition, id: string, point: Point): Definition {
  const positions = { ...((definition.ui?.positions ?? {}) as Record<string, Json>) };
  positions[id] = { x: Math.round(point.x), y: Math.round(point.y) };
  return { ...definition, ui: { ...(definition.ui ?? {}), positions } };
}

/** The definition back on the automatic layout: no kept positions (`ui` dropped when nothing else is in it). */
export function tidied(definition: Definition): Definition {
  if (!definition.ui) return definition;
  const rest = { ...definition.ui };
  delete rest.positions;
  if (Object.keys(rest).length > 0) return { ...definition, ui: rest };
  const next: Definition = { ...definition };
  delete (next as { ui?: unknown }).ui;
  return next;
}

/** The definition with a renamed step's kept position following it. */
export function renamedPosition(definition: Definition, from: string, to: string): Definition {
  const positions = definition.ui?.positions;
  if (!positions || typeof positions !== "object" || Array.isArray(positions) || !(from in positions)) return definition;
  const next = { ...(positions as Record<string, Json>) };
  next[to] = next[from] ?? null;
  delete next[from];
  return { ...definition, ui: { ...definition.ui, positions: next } };
}
