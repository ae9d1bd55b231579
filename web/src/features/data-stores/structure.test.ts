import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/errors";
import { draftOf, emptyDraft, newField, problemAt, readStructure, storeBody, storePaths } from "./structure";

describe("storeBody", () => {
  it("trims the names and leaves empty limits out (the server's caps)", () => {
    const draft = emptyDraft();
    draft.name = "  Orders ";
    draft.fields = [{ ...newField(), name: " status ", required: true }, { ...newField("number"), name: "amount" }];
    expect(storeBody(draft)).toEqual({
      name: "Orders",
      structure: [{ name: "status", type: "text", required: true }, { name: "amount", type: "number", required: false }],
    });
  });
  it("sends limits typed in as numbers", () => {
    const draft = { ...emptyDraft(), maxRecords: "500", maxSizeBytes: " 2048 " };
    expect(storeBody(draft)).toMatchObject({ max_records: 500, max_size_bytes: 2048 });
  });
  it("keeps a field's label", () => {
    const draft = draftOf({ name: "A", structure: [{ name: "a", type: "date", required: false, label: "When" }],
      max_records: 10, max_size_bytes: 100 });
    expect(storeBody(draft)).toEqual({ name: "A", structure: [{ name: "a", type: "date", required: false, label: "When" }],
      max_records: 10, max_size_bytes: 100 });
  });
});

describe("newField", () => {
  it("gives every row its own id", () => {
    expect(newField().id).not.toBe(newField().id);
  });
});

describe("readStructure", () => {
  it("reads the API's fields and treats an unknown type as any", () => {
    expect(readStructure([{ name: "a", type: "number", required: true }, { name: "b", type: "blob" }]))
      .toEqual([{ name: "a", type: "number", required: true }, { name: "b", type: "any", required: false }]);
  });
});

describe("problemAt", () => {
  const paths = storePaths(2);
  const error = (path: string | null, message: string, status = 422) => new ApiError(status, "invalid", message, path, null);

  it("puts a field's problem at that field, without the path in the message", () => {
    expect(problemAt(error("structure[1].name", "structure[1].name: field 'a' is named twice"), paths))
      .toEqual({ path: "structure[1].name", message: "Field 'a' is named twice." });
  });
  it("puts a problem below a known path at that path", () => {
    expect(problemAt(error("structure[0].type.x", "structure[0].type.x: bad"), paths)?.path).toBe("structure[0].type");
  });
  it("keeps only the first of several problems", () => {
    expect(problemAt(error("name", "name: too long; structure[0].name: bad"), paths)?.message).toBe("Too long.");
  });
  it("leaves an error without a known path to the alert above the form", () => {
    expect(problemAt(error(null, "over the quota", 409), paths)).toBeNull();
    expect(problemAt(error("elsewhere", "elsewhere: no"), paths)).toBeNull();
    expect(problemAt(new Error("boom"), paths)).toBeNull();
  });
});
