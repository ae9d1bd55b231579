import { describe, expect, it } from "vitest";
import { pathKeys, targetOf } from "./api-paths";
import type { Definition } from "./definition";
import { moved, positionsOf, renamedPosition, tidied } from "./positions";
import { fieldsOf, objectOf, parseField, rowsOf, textOf } from "./schema-form";
import { fromYaml, readDefinitionText, toYaml } from "./yaml";

const def: Definition = {
  name: "W1",
  trigger: { id: "hook", module: "webhooks.custom", params: {} },
  flow: [
    { id: "shape", module: "tools.set_variables", params: { variables: { a: "{{ hook.body.a }}" } } },
    { id: "split", router: [{ flow: [{ id: "post", module: "http.request", params: { url: "x" } }] }, { fallback: true, flow: [] }] },
  ],
  ui: { positions: { shape: { x: 10, y: 20 } } },
};

describe("yaml", () => {
  it("round-trips a definition, strings that look like other things included", () => {
    const value = { ...def, odd: ["true", "12", "", "a: b", "# no", "line\nbreak", 3, 1.5, false, null, [], {}, [[1, 2], { x: [] }]],
      "weird key": { "": 1 } } as never;
    const text = toYaml(value);
    expect(fromYaml(text)).toEqual(value);
    expect(readDefinitionText(text)).toEqual(value);
    expect(readDefinitionText(JSON.stringify(def))).toEqual(def);
  });
  it("writes block style with quoted strings", () => {
    expect(toYaml({ name: "W1", flow: [{ id: "a", n: 1 }], e: {} })).toBe('name: "W1"\nflow:\n  - id: "a"\n    n: 1\ne: {}\n');
  });
  it("reads plain YAML scalars and says where it cannot read", () => {
    expect(fromYaml("name: W1\nflag: true\nn: 3\nlist:\n- a\n- 'b c'\n")).toEqual({ name: "W1", flag: true, n: 3, list: ["a", "b c"] });
    expect(() => fromYaml("a: 1\n    b: 2\n")).toThrow(/line 2/);
  });
});

describe("api paths", () => {
  it("splits paths and finds the innermost step", () => {
    expect(pathKeys("flow[1].router[0].flow[0].params.url")).toEqual(["flow", 1, "router", 0, "flow", 0, "params", "url"]);
    expect(targetOf(def, "flow[1].router[0].flow[0].params.url")).toEqual({ step: "post", field: "params.url" });
    expect(targetOf(def, "flow[0].id")).toEqual({ step: "shape", field: "id" });
    expect(targetOf(def, "trigger.params.x")).toEqual({ step: "hook", field: "params.x" });
    expect(targetOf(def, "flow[1].router[1]")).toEqual({ step: "split", field: "router[1]" });
    expect(targetOf(def, "name")).toEqual({ step: null, field: "name" });
    expect(targetOf(def, "flow[9].params")).toEqual({ step: null, field: "flow[9].params" });
  });
});

describe("positions", () => {
  it("keeps, renames and tidies positions under ui", () => {
    expect([...positionsOf(def)]).toEqual([["shape", { x: 10, y: 20 }]]);
    const next = moved(def, "post", { x: 1.4, y: 2.6 });
    expect(positionsOf(next).get("post")).toEqual({ x: 1, y: 3 });
    expect(positionsOf(renamedPosition(next, "post", "send")).has("send")).toBe(true);
    expect(tidied(def).ui).toBeUndefined();
    expect(tidied({ ...def, ui: { positions: {}, notes: "n" } }).ui).toEqual({ notes: "n" });
    expect(def.ui).toEqual({ positions: { shape: { x: 10, y: 20 } } });
  });
});

describe("schema form", () => {
  const schema = {
    properties: {
      method: { enum: ["GET", "POST"], type: "string", title: "Method", default: "GET" },
      url: { type: "string", title: "Url", description: "Where" },
      headers: { type: "object", additionalProperties: { type: "string" }, title: "Headers" },
      json: { title: "Json" },
      timeout_seconds: { type: "number" },
      body: { anyOf: [{ type: "string" }, { type: "null" }] },
      repeats: { anyOf: [{ type: "integer" }, { type: "null" }] },
      follow: { type: "boolean", title: "Follow" },
    },
    required: ["url"],
  };
  it("picks an input per type and marks required fields", () => {
    expect(fieldsOf(schema).map((f) => [f.name, f.kind, f.required])).toEqual([
      ["method", "enum", false], ["url", "text", true], ["headers", "keyvalue", false], ["json", "json", false],
      ["timeout_seconds", "number", false], ["body", "textarea", false], ["repeats", "integer", false], ["follow", "boolean", false],
    ]);
    expect(fieldsOf(schema)[4]?.title).toBe("Timeout seconds");
    expect(fieldsOf(null)).toEqual([]);
  });
  it("keeps expressions as text in any field and converts the rest", () => {
    expect(parseField("{{ a.b }}", "number")).toEqual({ ok: true, value: "{{ a.b }}" });
    expect(parseField("{{ shape }}", "json")).toEqual({ ok: true, value: "{{ shape }}" });
    expect(parseField("12", "integer")).toEqual({ ok: true, value: 12 });
    expect(parseField("1.5", "integer").ok).toBe(false);
    expect(parseField("{\"a\": 1}", "json")).toEqual({ ok: true, value: { a: 1 } });
    expect(parseField("{oops", "json").ok).toBe(false);
    expect(parseField("", "text")).toEqual({ ok: true, value: undefined });
    expect(textOf({ a: 1 }, "json")).toBe('{\n  "a": 1\n}');
    expect(textOf(3, "number")).toBe("3");
  });
  it("edits objects as rows", () => {
    expect(rowsOf({ a: "x", n: 1 })).toEqual([["a", "x"], ["n", "1"]]);
    expect(objectOf([["a", "x"], ["", "y"], [" b ", "{{ z }}"]])).toEqual({ a: "x", b: "{{ z }}" });
  });
});
