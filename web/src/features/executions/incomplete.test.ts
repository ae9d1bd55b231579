import { describe, expect, it } from "vitest";
import { countText, errorText, retrySummary } from "./incomplete";

describe("errorText", () => {
  it("says the type and the message", () => {
    expect(errorText({ type: "ConnectionError", message: "connection refused", step: "call" }))
      .toBe("ConnectionError: connection refused");
    expect(errorText({ message: "bad JSON" })).toBe("bad JSON");
    expect(errorText({ type: "DataError" })).toBe("DataError");
  });
  it("copes with other shapes", () => {
    expect(errorText("plain")).toBe("plain");
    expect(errorText(null)).toBe("Unknown error");
    expect(errorText({})).toBe("Unknown error");
  });
});

describe("retrySummary", () => {
  it("says how one retry went", () => {
    expect(retrySummary([{ status: "success" }])).toBe("The retry succeeded.");
    expect(retrySummary([{ status: "incomplete" }])).toBe("The retry failed again.");
    expect(retrySummary([{ status: null, failed: true }])).toBe("The retry could not be started.");
  });
  it("counts many", () => {
    expect(retrySummary([{ status: "success" }, { status: "warning" }, { status: "incomplete" }]))
      .toBe("Retried 3: 2 succeeded, 1 failed again.");
    expect(retrySummary([{ status: "incomplete" }, { status: null, failed: true }]))
      .toBe("Retried 2: 0 succeeded, 1 failed again, 1 could not be started.");
  });
});

describe("countText", () => {
  it("is singular for one", () => {
    expect(countText(1)).toBe("1 incomplete execution");
    expect(countText(3)).toBe("3 incomplete executions");
  });
});
