import { describe, expect, it } from "vitest";
import type { Execution } from "@/features/inspector";
import { childPath, inErrorHandler, moduleOutputs, reference, stepOutput, stepsBefore, treeFromSchema, treeFromValue } from "./mapping";

const step = (id: string, module = "tools.set_variables", params: Record<string, unknown> = {}) => ({ id, module, params });

const definition = {
  trigger: step("hook", "webhooks.custom"),
  flow: [
    step("shape", "tools.set_variables", { variables: { name: "{{ hook.body.name }}", total: "1" } }),
    { id: "check", if_else: [{ condition: "{{ true }}", flow: [step("yes"), step("yes2")] }], else: { flow: [step("no")] } },
    step("after"),
    {
      id: "split", router: [
        { flow: [step("left"), step("left2")] },
        { fallback: true, flow: [step("right")] },
      ],
    },
  ],
};

const ids = (target: string | null) => stepsBefore(definition, target).map((s) => s.id);

describe("error handlers", () => {
  const handled = {
    trigger: { id: "hook", module: "webhooks.custom" },
    flow: [
      { id: "a", module: "json.parse" },
      { id: "post", module: "http.request", on_error: { directive: "resume", flow: [{ id: "note", module: "tools.set_variables" }] } },
      { id: "after", module: "json.parse" },
    ],
  };

  it("sees in a handler's step what the failed step saw, and knows it handles an error", () => {
    expect(stepsBefore(handled, "note").map((s) => s.id)).toEqual(["hook", "a"]);
    expect(inErrorHandler(handled, "note")).toBe(true);
  });

  it("does not take the steps of the main flow for handled", () => {
    expect(inErrorHandler(handled, "after")).toBe(false);
    expect(inErrorHandler(handled, "a")).toBe(false);
    expect(stepsBefore(handled, "after").map((s) => s.id)).toEqual(["hook", "a", "post"]);
  });
});

describe("stepsBefore", () => {
  it("lists the trigger first, then the steps before the step", () => {
    expect(ids("shape")).toEqual(["hook"]);
    expect(ids("hook")).toEqual([]);
  });

  it("follows the path into a branch or a route", () => {
    expect(ids("yes2")).toEqual(["hook", "shape", "yes"]);
    expect(ids("no")).toEqual(["hook", "shape"]);
    expect(ids("left2")).toEqual(["hook", "shape", "yes", "yes2", "no", "after", "left"]);
    expect(ids("right")).toEqual(["hook", "shape", "yes", "yes2", "no", "after"]);
  });

  it("shows every branch's steps after an if-else block (the merge)", () => {
    expect(ids("after")).toEqual(["hook", "shape", "yes", "yes2", "no"]);
  });

  it("lists every step for no step or an unknown one", () => {
    const all = ["hook", "shape", "yes", "yes2", "no", "after", "left", "left2", "right"];
    expect(ids(null)).toEqual(all);
    expect(ids("new_step")).toEqual(all);
    expect(stepsBefore("nonsense", "x")).toEqual([]);
  });
});

describe("output trees", () => {
  it("writes keys that are no identifiers with brackets", () => {
    expect(childPath("hook.body", "name")).toBe("hook.body.name");
    expect(childPath("hook.headers", "content-type")).toBe('hook.headers["content-type"]');
  });

  it("reads a seen value, an array by its first item", () => {
    const tree = treeFromValue({ body: { items: [{ sku: "A1" }], n: 2 } }, "hook");
    expect(tree[0]?.path).toBe("hook.body");
    const items = tree[0]?.children[0];
    expect(items).toMatchObject({ key: "items", type: "array", path: "hook.body.items" });
    expect(items?.children[0]?.children[0]).toMatchObject({ key: "sku", path: "hook.body.items[0].sku", sample: "A1" });
    expect(tree[0]?.children[1]).toMatchObject({ key: "n", type: "number", sample: "2", children: [] });
  });

  it("reads a declared schema", () => {
    const tree = treeFromSchema({ type: "object", properties: { status: { type: "integer" }, rows: { type: "array", items: { properties: { id: { type: ["string", "null"] } } } } } }, "post");
    expect(tree.map((n) => [n.key, n.type])).toEqual([["status", "integer"], ["rows", "array"]]);
    expect(tree[1]?.children[0]?.children[0]).toMatchObject({ path: "post.rows[0].id", type: "string" });
  });

  it("prefers the run's output, then the schema, then the variables' names", () => {
    const outputs = moduleOutputs([{ modules: [{ key: "webhooks.custom", output: { properties: { body: {} } } }, { key: "x.y", output: null }] }]);
    expect([...outputs.keys()]).toEqual(["webhooks.custom"]);
    const hook = step("hook", "webhooks.custom");
    const execution = { log: [
      { step: "hook", module: "webhooks.custom", bundle: 0, status: "success", output: { body: { a: 1 } }, started_at: null, duration_ms: 1 },
    ] } as unknown as Execution;
    expect(stepOutput(hook, execution, outputs).source).toBe("run");
    expect(stepOutput(hook, execution, outputs).tree[0]?.children[0]?.path).toBe("hook.body.a");
    expect(stepOutput(hook, null, outputs)).toMatchObject({ source: "schema", tree: [{ key: "body", path: "hook.body" }] });
    const shape = stepsBefore(definition, "after")[1];
    expect(shape && stepOutput(shape, null, outputs).tree.map((n) => n.path)).toEqual(["shape.name", "shape.total"]);
    expect(stepOutput(step("other", "json.parse"), null, outputs)).toMatchObject({ source: "none", tree: [] });
  });

  it("reads one bundle of a module that logged several (an iterator)", () => {
    const outputs = moduleOutputs([{ modules: [{ key: "flow.iterator", output: { type: "object", properties: { value: {} } } }] }]);
    const execution = { log: [
      { step: "items", module: "flow.iterator", bundle: 0, status: "success", output: [{ value: { sku: "A" }, index: 0 }, { value: { sku: "B" }, index: 1 }], started_at: null, duration_ms: 1 },
    ] } as unknown as Execution;
    const tree = stepOutput(step("items", "flow.iterator"), execution, outputs).tree;
    expect(tree.map((n) => n.path)).toEqual(["items.value", "items.index"]);
    expect(tree[0]?.children[0]).toMatchObject({ path: "items.value.sku", sample: "A" });
  });

  it("inserts a reference", () => {
    expect(reference("hook.body.id")).toBe("{{ hook.body.id }}");
  });
});
