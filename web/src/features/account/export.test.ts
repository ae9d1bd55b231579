import { describe, expect, it } from "vitest";
import { exportFileName, exportText } from "./export";

describe("exportFileName", () => {
  it("names the account and the day", () => {
    expect(exportFileName("Ada@Example.com", new Date("2026-12-03T23:30:00Z"))).toBe(
      "scenarist-export-ada-example.com-2026-12-03.json");
  });
  it("keeps only characters that are safe in a file name", () => {
    expect(exportFileName("../we ird/@x.org", new Date("2026-01-05T00:00:00Z"))).toBe(
      "scenarist-export-we_ird_-x.org-2026-01-05.json");
    expect(exportFileName("  ", new Date("2026-01-05T00:00:00Z"))).toBe("scenarist-export-account-2026-01-05.json");
  });
});

describe("exportText", () => {
  it("is indented JSON with a final newline", () => {
    expect(exportText({ account: { email: "a@b.c" } })).toBe('{\n  "account": {\n    "email": "a@b.c"\n  }\n}\n');
  });
});
