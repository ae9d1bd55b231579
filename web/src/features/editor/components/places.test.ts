import { describe, expect, it } from "vitest";
import { insertAt, newStep, type Definition } from "../model/definition";
import { placesFor } from "./places";

const base: Definition = {
  name: "Handled",
  trigger: { id: "hook", module: "webhooks.custom", params: {} },
  flow: [{ id: "post", module: "http.request", params: {}, on_error: { directive: "ignore" } }, { id: "last", module: "json.parse", params: {} }],
} as Definition;

describe("placesFor", () => {
  it("offers a step's error handler when it has error handling, and a step goes in there", () => {
    const places = placesFor(base, "post");
    expect(places.map((p) => p.label)).toEqual(["After post", "Error handler of post"]);
    const handler = places[1];
    if (!handler) throw new Error("no handler place");
    const step = newStep(base, "json.parse");
    const next = insertAt(base, handler.slot, step);
    const post = next.flow[0] as { on_error?: { directive: string; flow?: { id: string }[] } };
    expect(post.on_error).toEqual({ directive: "ignore", flow: [step] });
    expect(next.flow.map((i) => i.id)).toEqual(["post", "last"]);
    expect(base.flow[0]).not.toHaveProperty("on_error.flow"); // the definition given is left as it was
  });

  it("offers only the place after a step without error handling", () => {
    expect(placesFor(base, "last").map((p) => p.label)).toEqual(["After last"]);
  });
});
