/**
 * Copy and paste of steps, within a scenario or between scenarios (through the system
 * clipboard as JSON text). Pasted items get fresh ids where theirs are taken, and the
 * references among the pasted items follow their new ids.
 */
import { freshId, innerFlows, usedIds, type Definition, type FlowItem } from "./definition";
import { renameStep } from "./references";

const MARK = "scenarist/steps";

export function copyText(items: FlowItem[]): string {
  return JSON.stringify({ [MARK]: 1, items }, null, 2);
}

/** The items of a copied text; null when the text is not a copy of steps. */
export function readCopy(text: string): FlowItem[] | null {
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    if (parsed?.[MARK] !== 1 || !Array.isArray(parsed.items)) return null;
    const items = parsed.items as FlowItem[];
    return items.every((item) => item && typeof item === "object" && typeof item.id === "string") ? items : null;
  } catch {
    return null;
  }
}

function ids(items: FlowItem[]): string[] {
  const found: string[] = [];
  const walk = (flow: FlowItem[]) => flow.forEach((item) => {
    found.push(item.id);
    for (const [, inner] of innerFlows(item)) walk(inner);
  });
  walk(items);
  return found;
}

/** `items` with ids that do not clash with `target`'s, their references to each other rewritten. */
export function pasteable(target: Definition, items: FlowItem[]): FlowItem[] {
  const taken = usedIds(target);
  let holder: Definition = { name: "", flow: structuredClone(items) };
  for (const id of ids(items)) {
    if (!taken.has(id)) {
      taken.add(id);
      continue;
    }
    const fresh = freshId(holder, id, taken); // "shape" -> "shape_2"
    taken.add(fresh);
    holder = renameStep(holder, id, fresh);
  }
  return holder.flow;
}
