/** Where "Add module" may put a new item, given the selection: a router's routes, an if-else's branches and
 * else, or right after the selected step (the end of the flow when nothing is selected). */
import { isIfElse, isRouter, isStep, locate, slotAfter, type Definition, type Slot } from "../model/definition";

export interface NamedSlot {
  label: string;
  slot: Slot;
}

export function placesFor(definition: Definition, selected: string | null): NamedSlot[] {
  const found = selected !== null ? locate(definition, selected) : undefined;
  if (found && isRouter(found.item)) {
    const base = [...found.slot.flow, found.slot.index];
    return found.item.router.map((route, i) => ({
      label: `Route ${i + 1}${route.label ? `: ${route.label}` : ""}${route.fallback ? " (fallback)" : ""} of ${found.item.id}`,
      slot: { flow: [...base, "router", i, "flow"], index: route.flow.length },
    }));
  }
  if (found && isIfElse(found.item)) {
    const base = [...found.slot.flow, found.slot.index];
    const places = found.item.if_else.map((branch, i) => ({
      label: `Branch ${i + 1}${branch.label ? `: ${branch.label}` : ""} of ${found.item.id}`,
      slot: { flow: [...base, "if_else", i, "flow"], index: branch.flow.length },
    }));
    if (found.item.else) places.push({ label: `Else of ${found.item.id}`, slot: { flow: [...base, "else", "flow"], index: found.item.else.flow.length } });
    places.push({ label: `After ${found.item.id}`, slot: slotAfter(definition, found.item.id) });
    return places;
  }
  const label = selected === null ? "At the end of the flow" : `After ${selected}`;
  const after = { label, slot: slotAfter(definition, selected) };
  if (found && isStep(found.item) && found.item.on_error) {
    // a step with error handling: its handler's steps run before the directive
    const handler = { label: `Error handler of ${found.item.id}`,
      slot: { flow: [...found.slot.flow, found.slot.index, "on_error", "flow"], index: found.item.on_error.flow?.length ?? 0 } };
    return [after, handler];
  }
  return [after];
}
