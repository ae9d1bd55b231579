/**
 * Where an API problem's `path` ("flow[0].router[1].flow[0].params.url", "trigger.params.x", "name")
 * points in the editor: the step it names and the rest of the path inside that step.
 */
import type { Definition } from "./definition";

export interface PathTarget {
  /** The innermost item (or the trigger) the path goes through; null for a top-level field. */
  step: string | null;
  /** The rest of the path inside the step: "params.url", "id", "filter.condition"; or the whole path. */
  field: string;
}

/** "flow[0].params.url" -> ["flow", 0, "params", "url"]. */
export function pathKeys(path: string): (string | number)[] {
  const keys: (string | number)[] = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (match[2] !== undefined) keys.push(Number(match[2]));
    else if (match[1] !== undefined) keys.push(/^\d+$/.test(match[1]) ? Number(match[1]) : match[1]);
  }
  return keys;
}

function joinKeys(keys: (string | number)[]): string {
  return keys.map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? k : `.${k}`)).join("");
}

export function targetOf(definition: Definition, path: string): PathTarget {
  const keys = pathKeys(path);
  let node: unknown = definition;
  let step: string | null = null;
  let rest = 0;
  keys.forEach((key, i) => {
    if (node === null || typeof node !== "object") {
      node = undefined;
      return;
    }
    node = (node as Record<string | number, unknown>)[key];
    const inFlow = typeof key === "number" && (keys[i - 1] === "flow");
    const isTrigger = key === "trigger" && i === 0;
    if ((inFlow || isTrigger) && node && typeof (node as { id?: unknown }).id === "string") {
      step = (node as { id: string }).id;
      rest = i + 1;
    }
  });
  return step === null ? { step: null, field: path } : { step, field: joinKeys(keys.slice(rest)) };
}
