import { describe, expect, it } from "vitest";
import { cellText, formFields, generatedKey, initialValues, isoFromLocal, localInput, pageOf, toRecord } from "./records";
import type { FieldSpec } from "./structure";

const structure: FieldSpec[] = [
  { name: "status", type: "text", required: true },
  { name: "amount", type: "number", required: false, label: "Amount in EUR" },
  { name: "paid", type: "boolean", required: false },
  { name: "due", type: "date", required: false },
  { name: "tags", type: "array", required: false },
  { name: "address", type: "collection", required: false },
  { name: "extra", type: "any", required: false },
];
const fields = formFields(structure);

describe("formFields", () => {
  it("gives each type its input and uses the label when there is one", () => {
    expect(fields.map((f) => f.input)).toEqual(["text", "number", "boolean", "datetime", "json", "json", "json"]);
    expect(fields[1]?.label).toBe("Amount in EUR");
    expect(fields[0]?.label).toBe("status");
    expect(fields[4]?.hint).toBe("A JSON array, such as [1, 2, 3]");
    expect(fields[1]?.hint).toBe("Number");
  });
});

describe("toRecord", () => {
  it("converts every input to its field's type", () => {
    const due = "2024-03-05T14:30";
    const result = toRecord(fields, {
      status: "paid", amount: " 120.5 ", paid: "true", due, tags: "[\"a\", 1]", address: "{\"city\": \"Prague\"}",
      extra: "\"anything\"",
    });
    expect(result).toEqual({ data: {
      status: "paid", amount: 120.5, paid: true, due: new Date(due).toISOString(), tags: ["a", 1],
      address: { city: "Prague" }, extra: "anything",
    } });
  });
  it("leaves empty inputs out: no value", () => {
    expect(toRecord(fields, { status: "new", amount: "", paid: "", due: "", tags: " " })).toEqual({ data: { status: "new" } });
  });
  it("keeps false as a value", () => {
    expect(toRecord(fields, { status: "x", paid: "false" })).toEqual({ data: { status: "x", paid: false } });
  });
  it("says which inputs are wrong, and that a required one is empty", () => {
    const result = toRecord(fields, { status: " ", amount: "12abc", tags: "{\"a\": 1}", address: "[1]", extra: "{oops" });
    expect(result).toEqual({ problems: {
      status: "Required: enter a value.", amount: "Enter a number.", tags: "Enter a JSON array, such as [1, 2, 3].",
      address: "Enter a JSON object, such as {\"city\": \"Prague\"}.",
      extra: "Enter JSON: text in quotes, a number, true or false, an array or an object.",
    } });
  });
});

describe("initialValues", () => {
  it("is empty for a new record", () => {
    expect(Object.values(initialValues(fields)).every((v) => v === "")).toBe(true);
  });
  it("shows a record's values so that the form gives the same record back", () => {
    const data = { status: "paid", amount: 3, paid: false, due: "2024-03-05T14:30:00.000Z", tags: [1, 2],
      address: { city: "Brno" }, extra: null };
    const values = initialValues(fields, data);
    expect(values.amount).toBe("3");
    expect(values.paid).toBe("false");
    expect(values.extra).toBe("");
    expect(toRecord(fields, values)).toEqual({ data: { status: "paid", amount: 3, paid: false,
      due: "2024-03-05T14:30:00.000Z", tags: [1, 2], address: { city: "Brno" } } });
  });
});

describe("dates", () => {
  it("round-trips through the local date and time input", () => {
    const iso = "2024-11-30T23:59:58.000Z";
    expect(isoFromLocal(localInput(iso))).toBe(iso);
    expect(isoFromLocal(localInput("2024-03-05T14:30:00.000Z"))).toBe("2024-03-05T14:30:00.000Z");
  });
  it("leaves out zero seconds, as the browser's input does", () => {
    expect(localInput(new Date(2024, 2, 5, 14, 30, 0).toISOString())).toBe("2024-03-05T14:30");
    expect(localInput(new Date(2024, 2, 5, 14, 30, 7).toISOString())).toBe("2024-03-05T14:30:07");
  });
  it("refuses what is no date", () => {
    expect(isoFromLocal("yesterday")).toBeNull();
    expect(localInput("nope")).toBe("");
  });
});

describe("cellText", () => {
  it("shows each value plainly", () => {
    expect(cellText("text", "hi")).toBe("hi");
    expect(cellText("number", 12)).toBe("12");
    expect(cellText("boolean", true)).toBe("Yes");
    expect(cellText("boolean", false)).toBe("No");
    expect(cellText("collection", { a: [1] })).toBe("{\"a\":[1]}");
    expect(cellText("text", undefined)).toBe("");
    expect(cellText("date", "2024-01-01T00:00:00.000Z", () => "1 Jan 2024")).toBe("1 Jan 2024");
  });
});

describe("pageOf", () => {
  const records = ["a", "b", "c"].map((key) => ({ key }));
  it("shows a page and keeps the key to ask the next one after", () => {
    expect(pageOf(records, 2)).toEqual({ rows: [{ key: "a" }, { key: "b" }], next: "b" });
  });
  it("has no next page when the extra record is not there", () => {
    expect(pageOf(records, 3)).toEqual({ rows: records, next: null });
    expect(pageOf([], 3)).toEqual({ rows: [], next: null });
  });
});

describe("generatedKey", () => {
  it("is 16 hex digits from random bytes", () => {
    expect(generatedKey((b) => b.fill(171))).toBe("abababababababab");
    expect(generatedKey()).toMatch(/^[0-9a-f]{16}$/);
    expect(generatedKey()).not.toBe(generatedKey());
  });
});
