import { describe, expect, it } from "vitest";
import { copyText, pasteable, readCopy } from "./clipboard";
import {
  allItems, freshId, idProblem, insertAt, locate, newIfElse, newRouter, newStep, removeItem, slotAfter, updateItem,
  type Definition, type Router, type Step,
} from "./definition";
import { canRedo, canUndo, record, redo, startHistory, undo } from "./history";
import { danglingReferences, pathRoots, renameInText, renameStep } from "./references";

function w1(): Definition {
  return {
    name: "W1",
    trigger: { id: "hook", module: "webhooks.custom", params: {} },
    flow: [
      { id: "shape", module: "tools.set_variables", params: { variables: {
        id: "{{ hook.body.id }}", name_upper: "{{ hook.body.name | upper }}" } } },
      { id: "post", module: "http.request", filter: { label: "big", condition: "{{ hook.body.amount > 10 }}" },
        params: { method: "POST", url: "http://127.0.0.1:9/sink", json: "{{ shape }}" } },
    ],
  };
}

describe("definition edits", () => {
  it("inserts after a step, at the start after the trigger, and at the end", () => {
    const def = w1();
    const after = insertAt(def, slotAfter(def, "shape"), newStep(def, "json.parse"));
    expect(after.flow.map((i) => i.id)).toEqual(["shape", "parse", "post"]);
    const first = insertAt(def, slotAfter(def, "hook"), newStep(def, "tools.sleep"));
    expect(first.flow[0]?.id).toBe("sleep");
    const last = insertAt(def, slotAfter(def, null), newStep(def, "http.request"));
    expect(last.flow.map((i) => i.id)).toEqual(["shape", "post", "request"]);
    expect(def.flow).toHaveLength(2); // the original is untouched
  });
  it("finds, updates and removes items inside routes and branches", () => {
    let def = insertAt(w1(), slotAfter(w1(), "post"), newRouter(w1()));
    const router = def.flow[2] as Router;
    expect(router.router.map((r) => r.fallback ?? false)).toEqual([false, true]);
    def = insertAt(def, { flow: ["flow", 2, "router", 1, "flow"], index: 0 }, newStep(def, "tools.sleep"));
    expect(locate(def, "sleep")?.slot).toEqual({ flow: ["flow", 2, "router", 1, "flow"], index: 0 });
    def = updateItem(def, "sleep", (item) => ({ ...(item as Step), params: { seconds: 1 } }));
    expect((locate(def, "sleep")?.item as Step).params).toEqual({ seconds: 1 });
    expect(allItems(removeItem(def, "router")).map((l) => l.item.id)).toEqual(["shape", "post"]);
    expect(newIfElse(def).else).toEqual({ flow: [] });
  });
  it("gives fresh ids and says what is wrong with one", () => {
    const def = w1();
    expect(freshId(def, "tools.set_variables")).toBe("set_variables");
    expect(freshId({ ...def, flow: [...def.flow, { id: "request", module: "http.request" }] }, "http.request"))
      .toBe("request_2");
    expect(idProblem(def, "Shape")).toMatch(/small letter/);
    expect(idProblem(def, "post")).toMatch(/already/);
    expect(idProblem(def, "shape", "shape")).toBeNull();
  });
});

describe("references", () => {
  it("renames only the roots of paths, in every kind of block", () => {
    expect(renameInText("{{ shape.a }} and {{ shape }} {% if shape.ok %}x{% endif %}", "shape", "form"))
      .toBe("{{ form.a }} and {{ form }} {% if form.ok %}x{% endif %}");
    expect(renameInText("{{ other.shape }} {{ 'shape.x' }} {{ x | shape }} shape.y", "shape", "form"))
      .toBe("{{ other.shape }} {{ 'shape.x' }} {{ x | shape }} shape.y");
    expect(renameInText("{{ upper(shape.name) }}", "shape", "s2")).toBe("{{ upper(s2.name) }}");
  });
  it("rewrites the whole definition when a step is renamed", () => {
    const renamed = renameStep(w1(), "hook", "incoming");
    expect(renamed.trigger?.id).toBe("incoming");
    expect((renamed.flow[0] as Step).params).toEqual({ variables: {
      id: "{{ incoming.body.id }}", name_upper: "{{ incoming.body.name | upper }}" } });
    expect((renamed.flow[1] as Step).filter?.condition).toBe("{{ incoming.body.amount > 10 }}");
    const agg: Definition = { name: "a", flow: [{ id: "items", module: "flow.iterator", params: { array: "{{ x }}" } },
      { id: "all", module: "flow.array_aggregator", params: { source: "items", value: "{{ items.value }}" } }] };
    expect((renameStep(agg, "items", "each").flow[1] as Step).params).toEqual({ source: "each", value: "{{ each.value }}" });
  });
  it("flags paths from steps that do not exist", () => {
    expect(pathRoots("{{ a.b }} {{ c }} {{ d[0] }}")).toEqual(["a", "d"]);
    const def = removeItem(w1(), "shape");
    expect(danglingReferences(def)).toEqual([]); // `{{ shape }}` alone is not a path
    const broken = updateItem(w1(), "post", (item) => ({ ...(item as Step), params: { url: "{{ ghost.url }}" } }));
    expect(danglingReferences(broken)).toEqual([{ step: "post", path: "params.url", name: "ghost" }]);
    expect(danglingReferences(w1())).toEqual([]);
  });
});

describe("history", () => {
  it("undoes and redoes, and a new edit drops the redo list", () => {
    let h = startHistory(1);
    h = record(h, 2);
    h = record(h, 3);
    h = undo(h);
    expect(h.present).toBe(2);
    expect(canRedo(h)).toBe(true);
    h = redo(h);
    expect(h.present).toBe(3);
    h = record(undo(h), 9);
    expect([h.present, canRedo(h), canUndo(h)]).toEqual([9, false, true]);
  });
  it("folds the edits of one group into one step", () => {
    let h = startHistory("");
    for (const text of ["a", "ab", "abc"]) h = record(h, text, "name");
    h = record(h, "other");
    expect(undo(h).present).toBe("abc");
    expect(undo(undo(h)).present).toBe("");
  });
});

describe("clipboard", () => {
  it("pastes copies with fresh ids and their references among themselves", () => {
    const def = w1();
    const text = copyText(def.flow);
    const items = readCopy(text);
    expect(items).not.toBeNull();
    const pasted = pasteable(def, items ?? []);
    expect(pasted.map((i) => i.id)).toEqual(["shape_2", "post_2"]);
    expect((pasted[1] as Step).params?.json).toBe("{{ shape_2 }}");
    expect(readCopy("{\"name\": 1}")).toBeNull();
    expect(readCopy("not json")).toBeNull();
  });
});
