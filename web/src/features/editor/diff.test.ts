import { describe, expect, it } from "vitest";
import { changeCount, diffDefinitions, diffLines, hunks, stableText } from "./diff";

describe("diffLines", () => {
  it("marks nothing when both sides are the same", () => {
    const lines = diffLines(["a", "b"], ["a", "b"]);
    expect(lines.map((l) => l.kind)).toEqual(["same", "same"]);
    expect(lines.map((l) => [l.oldNo, l.newNo])).toEqual([[1, 1], [2, 2]]);
  });

  it("finds an added and a removed line with their numbers", () => {
    const lines = diffLines(["a", "b", "c"], ["a", "c", "d"]);
    expect(lines).toEqual([
      { kind: "same", text: "a", oldNo: 1, newNo: 1 },
      { kind: "removed", text: "b", oldNo: 2 },
      { kind: "same", text: "c", oldNo: 3, newNo: 2 },
      { kind: "added", text: "d", newNo: 3 },
    ]);
  });

  it("shows a changed line as removed, then added", () => {
    const lines = diffLines(["x", "old", "y"], ["x", "new", "y"]);
    expect(lines.map((l) => `${l.kind}:${l.text}`)).toEqual(["same:x", "removed:old", "added:new", "same:y"]);
  });

  it("keeps the longest common subsequence", () => {
    const lines = diffLines(["a", "b", "c", "a", "b", "b", "a"], ["c", "b", "a", "b", "a", "c"]);
    const kept = lines.filter((l) => l.kind === "same").length;
    expect(kept).toBe(4);
    expect(lines.filter((l) => l.kind !== "added").map((l) => l.text)).toEqual(["a", "b", "c", "a", "b", "b", "a"]);
    expect(lines.filter((l) => l.kind !== "removed").map((l) => l.text)).toEqual(["c", "b", "a", "b", "a", "c"]);
  });

  it("handles empty sides", () => {
    expect(diffLines([], ["a"]).map((l) => l.kind)).toEqual(["added"]);
    expect(diffLines(["a"], []).map((l) => l.kind)).toEqual(["removed"]);
    expect(diffLines([], [])).toEqual([]);
  });
});

describe("stableText", () => {
  it("orders keys the same whatever order they were built in", () => {
    expect(stableText({ flow: [], name: "n", zeta: 1, alpha: 2 })).toBe(stableText({ alpha: 2, zeta: 1, name: "n", flow: [] }));
    expect(stableText({ flow: [], name: "n" }).split("\n")[1]).toBe('  "name": "n",');
  });

  it("orders a step's keys id, module, filter, params", () => {
    const text = stableText({ params: {}, filter: { condition: "x" }, module: "m.x", id: "s" });
    expect(text.indexOf('"id"')).toBeLessThan(text.indexOf('"module"'));
    expect(text.indexOf('"module"')).toBeLessThan(text.indexOf('"filter"'));
    expect(text.indexOf('"filter"')).toBeLessThan(text.indexOf('"params"'));
  });
});

describe("diffDefinitions and hunks", () => {
  const before = { name: "Orders", flow: [{ id: "a", module: "m.a", params: {} }], settings: { confidential: false } };
  const after = { name: "Orders", flow: [{ id: "a", module: "m.a", params: {} }], settings: { confidential: true } };

  it("names the changed setting only", () => {
    const lines = diffDefinitions(before, after);
    expect(lines.filter((l) => l.kind === "removed").map((l) => l.text.trim())).toEqual(['"confidential": false']);
    expect(lines.filter((l) => l.kind === "added").map((l) => l.text.trim())).toEqual(['"confidential": true']);
    expect(changeCount(lines)).toEqual({ added: 1, removed: 1 });
  });

  it("skips unchanged stretches beyond the context", () => {
    const lines = diffLines(["1", "2", "3", "4", "5", "6", "7", "8", "9"], ["1", "2", "3", "4", "X", "6", "7", "8", "9"]);
    const blocks = hunks(lines, 1);
    expect(blocks.map((b) => (b.kind === "skipped" ? `skip ${b.count}` : b.lines.map((l) => l.text).join(""))))
      .toEqual(["skip 3", "45X6", "skip 3"]);
  });

  it("gives no blocks of lines when nothing changed", () => {
    const blocks = hunks(diffLines(["a", "b"], ["a", "b"]));
    expect(blocks).toEqual([{ kind: "skipped", count: 2 }]);
  });
});
