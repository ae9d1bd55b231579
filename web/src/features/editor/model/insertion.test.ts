import { describe, expect, it } from "vitest";
import { insertPick, insideExpression } from "./insertion";

describe("insertPick", () => {
  it("inserts a reference at the cursor of plain text", () => {
    expect(insertPick("Hello !", 6, 6, "{{ hook.body.name }}")).toEqual({ value: "Hello {{ hook.body.name }}!", cursor: 26 });
  });

  it("replaces the selection", () => {
    expect(insertPick("a XX b", 2, 4, "{{ s.x }}")).toEqual({ value: "a {{ s.x }} b", cursor: 11 });
  });

  it("inserts the bare path inside an expression", () => {
    expect(insertPick("{{  * 100 }}", 3, 3, "{{ hook.body.amount }}")).toEqual({ value: "{{ hook.body.amount * 100 }}", cursor: 19 });
  });

  it("wraps a function outside an expression and puts the cursor in its parentheses", () => {
    const done = insertPick("", 0, 0, "formatDate(");
    expect(done.value).toBe("{{ formatDate( }}");
    expect(done.value.slice(0, done.cursor)).toBe("{{ formatDate(");
  });

  it("inserts a function bare inside an expression", () => {
    expect(insertPick("{{ x }}", 3, 3, "upper(")).toEqual({ value: "{{ upper(x }}", cursor: 9 });
  });

  it("knows a closed expression from an open one", () => {
    expect(insideExpression("{{ a }} b", 8)).toBe(false);
    expect(insideExpression("{{ a }} {{ b", 12)).toBe(true);
  });
});
