import { describe, expect, it } from "vitest";
import type { LogEntry } from "@/features/inspector";
import { applyEvent, emptyExecution, isFinished, lastInputText, parseEvent, parseSampleInput, type LiveEvent } from "./live";

const entry = (step: string, bundle: number, status = "success"): LogEntry => ({
  step, module: "tools.sleep", bundle, status, output: { slept_seconds: 0.1 },
  started_at: `2024-05-01T10:00:0${bundle}Z`, duration_ms: 100,
});

describe("applyEvent", () => {
  it("grows the log and the operation count per operation", () => {
    let run = emptyExecution("e1", "s1");
    run = applyEvent(run, { kind: "operation", entry: entry("hook", 0) });
    run = applyEvent(run, { kind: "operation", entry: entry("wait", 0) });
    expect(run.log.map((e) => e.step)).toEqual(["hook", "wait"]);
    expect(run.operations).toBe(2);
    expect(run.status).toBe("running");
    expect(run.started_at).toBe("2024-05-01T10:00:00Z");
    expect(isFinished(run)).toBe(false);
  });

  it("does not count a bundle a filter stopped", () => {
    const run = applyEvent(emptyExecution("e1"), { kind: "operation", entry: entry("post", 0, "filtered") });
    expect(run.log).toHaveLength(1);
    expect(run.operations).toBe(0);
  });

  it("completes the execution with the status event and keeps the log", () => {
    let run = applyEvent(emptyExecution("e1"), { kind: "operation", entry: entry("hook", 0) });
    const status: LiveEvent = {
      kind: "status",
      execution: {
        id: "e1", scenario_id: "s1", status: "error", started_at: "2024-05-01T09:59:59Z",
        finished_at: "2024-05-01T10:00:05Z", operations: 1, confidential: false,
        error: { type: "DataError", message: "bad", step: "hook" },
      },
    };
    run = applyEvent(run, status);
    expect(run.status).toBe("error");
    expect(run.error?.type).toBe("DataError");
    expect(run.log).toHaveLength(1);
    expect(run.scenario_id).toBe("s1");
    expect(isFinished(run)).toBe(true);
  });

  it("leaves the previous execution untouched", () => {
    const before = emptyExecution("e1");
    applyEvent(before, { kind: "operation", entry: entry("hook", 0) });
    expect(before.log).toEqual([]);
  });
});

describe("parseEvent", () => {
  it("reads an operation and a status, dropping a status's log", () => {
    expect(parseEvent("operation", JSON.stringify(entry("hook", 0)))).toEqual({ kind: "operation", entry: entry("hook", 0) });
    const status = parseEvent("status", JSON.stringify({ id: "e1", status: "success", log: [1] }));
    expect(status).toEqual({ kind: "status", execution: { id: "e1", status: "success" } });
  });

  it("ignores bad data and unknown kinds", () => {
    expect(parseEvent("operation", "{not json")).toBeNull();
    expect(parseEvent("operation", "[1]")).toBeNull();
    expect(parseEvent("operation", JSON.stringify({ nostep: 1 }))).toBeNull();
    expect(parseEvent("other", JSON.stringify(entry("hook", 0)))).toBeNull();
  });
});

describe("sample input", () => {
  const hookRun = { ...emptyExecution("e1"), log: [{ ...entry("hook", 0), output: { method: "POST", body: { name: "Ada" } } }] };

  it("offers the last webhook request's body, else {}", () => {
    expect(lastInputText(hookRun, true)).toBe('{\n  "name": "Ada"\n}');
    expect(lastInputText(hookRun, false)).toBe("{}");
    expect(lastInputText(null, true)).toBe("{}");
    expect(lastInputText(emptyExecution("e2"), true)).toBe("{}");
  });

  it("parses the JSON or says why not", () => {
    expect(parseSampleInput('{"a": [1]}')).toEqual({ ok: true, value: { a: [1] } });
    expect(parseSampleInput("  ")).toEqual({ ok: true, value: {} });
    const bad = parseSampleInput("{a: 1}");
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toMatch(/^This is not valid JSON: /);
  });
});
