import { describe, expect, it } from "vitest";
import { COLUMN_WIDTH, directiveId, layoutScenario, mergeId, ROW_HEIGHT } from "./layout";
import { moduleLabels } from "./catalogue";

const labels = new Map([["webhooks.custom", "Custom webhook"], ["json.parse", "Parse JSON"], ["http.request", "Make a request"]]);
const hook = { id: "hook", module: "webhooks.custom", params: {} };

function cells(definition: unknown) {
  return layoutScenario(definition, labels).nodes.map((n) => `${n.id}@${n.column},${n.row}`);
}

function links(definition: unknown) {
  return layoutScenario(definition, labels).edges.map((e) => `${e.source}->${e.target}${e.label ? ` (${e.label})` : ""}`);
}

describe("layoutScenario", () => {
  it("draws a step's error handler as a branch below it, its steps and then its directive", () => {
    const definition = { trigger: hook, flow: [
      { id: "post", module: "http.request", on_error: { directive: "resume", output: {}, flow: [{ id: "note", module: "json.parse" }] } },
      { id: "after", module: "json.parse" },
    ] };
    expect(cells(definition)).toEqual(["hook@0,0", "post@1,0", "note@2,1", `${directiveId("post")}@3,1`, "after@4,0"]);
    expect(links(definition)).toEqual(["hook->post", "post->note (On error)", `note->${directiveId("post")}`, "post->after"]);
    const layout = layoutScenario(definition, labels);
    expect(layout.edges.filter((e) => e.error).map((e) => e.id)).toEqual(["post->note"]);
    expect(layout.nodes.find((n) => n.kind === "directive")?.label).toBe("Resume");
    expect(layout.rows).toBe(2);
  });

  it("joins a handler without steps straight to its directive", () => {
    const definition = { trigger: hook, flow: [{ id: "post", module: "http.request", on_error: { directive: "ignore" } }] };
    expect(links(definition)).toEqual(["hook->post", `post->${directiveId("post")} (On error)`]);
  });

  it("puts the trigger first and each step one column further, joined in order", () => {
    const definition = { trigger: hook, flow: [{ id: "parse", module: "json.parse" }, { id: "post", module: "http.request" }] };
    expect(cells(definition)).toEqual(["hook@0,0", "parse@1,0", "post@2,0"]);
    expect(links(definition)).toEqual(["hook->parse", "parse->post"]);
  });

  it("labels modules from the catalogue, and by their key when the catalogue does not know them", () => {
    const layout = layoutScenario({ trigger: hook, flow: [{ id: "x", module: "acme.thing" }] }, labels);
    expect(layout.nodes.map((n) => [n.kind, n.label])).toEqual([["trigger", "Custom webhook"], ["step", "acme.thing"]]);
  });

  it("gives pixel positions from the grid", () => {
    const node = layoutScenario({ trigger: hook, flow: [{ id: "a", module: "json.parse" }] }, labels).nodes[1];
    expect([node?.x, node?.y]).toEqual([COLUMN_WIDTH, 0]);
  });

  it("fans a router's routes out one below the other, labelled", () => {
    const definition = {
      trigger: hook,
      flow: [{ id: "split", router: [
        { label: "big", filter: { condition: "{{ 1 }}" }, flow: [{ id: "a", module: "json.parse" }, { id: "b", module: "json.parse" }] },
        { fallback: true, flow: [{ id: "c", module: "json.parse" }] },
      ] }],
    };
    expect(cells(definition)).toEqual(["hook@0,0", "split@1,0", "a@2,0", "b@3,0", "c@2,1"]);
    expect(links(definition)).toEqual(["hook->split", "split->a (big · Filter)", "a->b", "split->c (Fallback)"]);
    const layout = layoutScenario(definition, labels);
    expect([layout.columns, layout.rows]).toEqual([4, 2]);
    expect(layout.nodes[3]?.y).toBe(0);
    expect(layout.nodes[4]?.y).toBe(ROW_HEIGHT);
  });

  it("gives a nested router's routes their own rows", () => {
    const inner = { id: "inner", router: [{ flow: [{ id: "x", module: "json.parse" }] }, { flow: [{ id: "y", module: "json.parse" }] }] };
    const definition = { trigger: hook, flow: [{ id: "outer", router: [{ flow: [inner] }, { flow: [{ id: "z", module: "json.parse" }] }] }] };
    expect(cells(definition)).toEqual(["hook@0,0", "outer@1,0", "inner@2,0", "x@3,0", "y@3,1", "z@2,2"]);
  });

  it("merges if-else branches back into one node that the next step follows", () => {
    const definition = {
      trigger: hook,
      flow: [
        { id: "check", if_else: [{ label: "paid", condition: "{{ true }}", flow: [{ id: "a", module: "json.parse" }] }],
          else: { flow: [{ id: "b", module: "json.parse" }, { id: "c", module: "json.parse" }] } },
        { id: "after", module: "http.request" },
      ],
    };
    expect(cells(definition)).toEqual(["hook@0,0", "check@1,0", "a@2,0", "b@2,1", "c@3,1", `${mergeId("check")}@4,0`, "after@5,0"]);
    expect(links(definition)).toEqual([
      "hook->check", "check->a (paid)", "check->b (Else)", "b->c", "a->check:merge", "c->check:merge", "check:merge->after",
    ]);
    expect(layoutScenario(definition, labels).nodes.find((n) => n.id === "check:merge")?.label).toBe("Merge");
  });

  it("joins an empty branch straight to the merge and names unlabelled branches by their number", () => {
    const definition = { trigger: hook, flow: [{ id: "check", if_else: [{ condition: "{{ true }}", flow: [] }] }] };
    expect(links(definition)).toEqual(["hook->check", "check->check:merge (Condition 1)"]);
  });

  it("puts a step's filter label on the edge that leads to it", () => {
    const definition = { trigger: hook, flow: [{ id: "post", module: "http.request", filter: { label: "only big ones", condition: "{{ 1 }}" } }] };
    expect(links(definition)).toEqual(["hook->post (only big ones)"]);
  });

  it("draws nothing it cannot read and never throws", () => {
    expect(layoutScenario(null, labels)).toEqual({ nodes: [], edges: [], columns: 0, rows: 1 });
    expect(cells({ trigger: hook, flow: [42, { module: "no.id" }, { id: "ok", module: "json.parse" }] })).toEqual(["hook@0,0", "ok@1,0"]);
  });
});

describe("moduleLabels", () => {
  it("maps every module key of the catalogue to its label", () => {
    const apps = [{ key: "json", label: "JSON", modules: [{ key: "json.parse", label: "Parse JSON" }] }, { key: "bad" }];
    expect([...moduleLabels(apps)]).toEqual([["json.parse", "Parse JSON"]]);
    expect(moduleLabels("nope").size).toBe(0);
  });
});
