import { describe, expect, it } from "vitest";
import { inspectorPath, parseStatus } from "./history";

describe("parseStatus", () => {
  it("takes a known status and nothing else", () => {
    expect(parseStatus("error")).toBe("error");
    expect(parseStatus("")).toBeNull();
    expect(parseStatus("bogus")).toBeNull();
    expect(parseStatus(null)).toBeNull();
  });
});

describe("inspectorPath", () => {
  it("opens the execution on the scenario page", () => {
    expect(inspectorPath("s1", "e/2")).toBe("/scenarios/s1?execution=e%2F2");
  });
});
