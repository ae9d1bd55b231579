import { describe, expect, it } from "vitest";
import { childPath, childrenOf, copyLabel, copyText, entry, initiallyOpen, kindOf, valueText } from "./json-tree";

describe("kindOf and valueText", () => {
  it("tells the JSON kinds apart", () => {
    expect([{}, [], "a", 1, true, null, undefined].map(kindOf)).toEqual(
      ["object", "array", "string", "number", "boolean", "null", "null"]);
  });

  it("shows primitives as JSON and containers by their size", () => {
    expect(valueText("hi \"you\"")).toBe('"hi \\"you\\""');
    expect(valueText(12.5)).toBe("12.5");
    expect(valueText(false)).toBe("false");
    expect(valueText(null)).toBe("null");
    expect(valueText({ a: 1, b: 2 })).toBe("{2 keys}");
    expect(valueText({ a: 1 })).toBe("{1 key}");
    expect(valueText([1])).toBe("[1 item]");
    expect(valueText([])).toBe("[0 items]");
  });
});

describe("childPath", () => {
  it("writes paths as expressions read them", () => {
    expect(childPath("", "body", false)).toBe("body");
    expect(childPath("body", "items", false)).toBe("body.items");
    expect(childPath("body.items", "0", true)).toBe("body.items[0]");
    expect(childPath("headers", "content-type", false)).toBe('headers["content-type"]');
  });
});

describe("childrenOf", () => {
  it("lists an object's keys in order with their paths and texts", () => {
    const { entries, hidden } = childrenOf({ name: "Ada", tags: ["a", "b"], none: null }, "body");
    expect(entries.map((e) => [e.key, e.path, e.text, e.expandable])).toEqual([
      ["name", "body.name", '"Ada"', false],
      ["tags", "body.tags", "[2 items]", true],
      ["none", "body.none", "null", false],
    ]);
    expect(hidden).toBe(0);
  });

  it("lists an array's items by index", () => {
    expect(childrenOf([{ v: 1 }], "").entries.map((e) => [e.key, e.path, e.kind])).toEqual([["0", "[0]", "object"]]);
  });

  it("counts the children beyond the limit instead of listing them", () => {
    const { entries, hidden } = childrenOf(Array.from({ length: 7 }, (_, i) => i), "xs", 5);
    expect(entries).toHaveLength(5);
    expect(hidden).toBe(2);
  });

  it("gives a primitive no children and an empty container nothing to expand", () => {
    expect(childrenOf("text", "")).toEqual({ entries: [], hidden: 0 });
    expect(entry("", "", {}).expandable).toBe(false);
    expect(entry("", "", []).text).toBe("[0 items]");
  });
});

describe("opening and copying", () => {
  it("opens the first two levels", () => {
    expect([0, 1, 2, 3].map(initiallyOpen)).toEqual([true, true, false, false]);
  });

  it("copies strings bare and everything else as indented JSON", () => {
    expect(copyText("line")).toBe("line");
    expect(copyText({ a: [1] })).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect(copyText(3)).toBe("3");
    expect(copyText(undefined)).toBe("null");
  });

  it("names copy buttons by the root and the path", () => {
    expect(copyLabel("Input", "")).toBe("Copy Input");
    expect(copyLabel("Output", "body.items")).toBe("Copy Output body.items");
  });
});
