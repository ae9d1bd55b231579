import { describe, expect, it } from "vitest";
import { failedStep, operationsOf, stepRuns, type Execution, type LogEntry } from "./run-data";

function entry(step: string, status: string, extra: Partial<LogEntry> = {}): LogEntry {
  return { step, module: "json.parse", bundle: 0, status, started_at: null, duration_ms: 1, ...extra };
}

function execution(log: LogEntry[], extra: Partial<Execution> = {}): Execution {
  return { id: "e", scenario_id: "s", status: "success", started_at: null, finished_at: null, operations: log.length,
    confidential: false, log, ...extra };
}

describe("stepRuns", () => {
  it("counts each step's operations, leaving filtered bundles out", () => {
    const runs = stepRuns(execution([entry("hook", "success"), entry("a", "success"), entry("a", "filtered"), entry("a", "success")]));
    expect(runs.get("hook")).toEqual({ operations: 1, status: "success", errorType: null });
    expect(runs.get("a")).toEqual({ operations: 2, status: "success", errorType: null });
  });

  it("marks a step failed when one of its operations failed, with the error's type", () => {
    const runs = stepRuns(execution([entry("a", "error", { error: { type: "DataError" } }), entry("a", "success", { bundle: 1 })]));
    expect(runs.get("a")).toEqual({ operations: 2, status: "error", errorType: "DataError" });
  });

  it("shows a step whose every bundle stopped at its filter as filtered, with no operation", () => {
    expect(stepRuns(execution([entry("a", "filtered")])).get("a")).toEqual({ operations: 0, status: "filtered", errorType: null });
  });
});

describe("operationsOf and failedStep", () => {
  it("lists a step's operations in order", () => {
    const log = [entry("a", "success", { bundle: 0 }), entry("b", "success"), entry("a", "filtered"), entry("a", "success", { bundle: 2 })];
    expect(operationsOf(execution(log), "a").map((e) => e.bundle)).toEqual([0, 2]);
  });

  it("names the failed step from the error, else from the log", () => {
    expect(failedStep(execution([], { error: { type: "DataError", step: "parse" } }))).toBe("parse");
    expect(failedStep(execution([entry("x", "success"), entry("y", "error")]))).toBe("y");
    expect(failedStep(execution([entry("x", "success")]))).toBeNull();
  });
});
