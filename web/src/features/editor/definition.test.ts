import { describe, expect, it } from "vitest";
import { listSteps, scheduleOf, setStepFilter, settingsOf } from "./definition";

const definition = {
  name: "n",
  trigger: { id: "hook", module: "webhooks.custom", params: {} },
  flow: [
    { id: "shape", module: "tools.set_variables", params: {} },
    { id: "split", router: [
      { label: "a", flow: [{ id: "post", module: "http.request", params: {}, filter: { condition: "{{ x }}" } }] },
      { fallback: true, flow: [{ id: "other", module: "http.request", params: {} }] },
    ] },
  ],
};

describe("listSteps", () => {
  it("lists every step with its filter, routes included, not the router itself", () => {
    expect(listSteps(definition).map((s) => [s.id, s.filter])).toEqual([
      ["shape", null], ["post", { condition: "{{ x }}" }], ["other", null],
    ]);
  });
});

describe("setStepFilter", () => {
  it("sets and removes a nested step's filter without touching the original", () => {
    const set = setStepFilter(definition, "other", { label: "l", condition: "{{ y }}" });
    expect(listSteps(set).find((s) => s.id === "other")?.filter).toEqual({ label: "l", condition: "{{ y }}" });
    expect(listSteps(definition).find((s) => s.id === "other")?.filter).toBeNull();
    const removed = setStepFilter(set, "post", null);
    expect(listSteps(removed).find((s) => s.id === "post")?.filter).toBeNull();
  });
});

describe("scheduleOf and settingsOf", () => {
  it("default to on demand and no settings", () => {
    expect(scheduleOf({})).toEqual({ type: "on_demand" });
    expect(settingsOf({ settings: { confidential: true } })).toEqual({ confidential: true });
  });
});
