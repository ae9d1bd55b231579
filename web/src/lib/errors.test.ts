import { describe, expect, it } from "vitest";
import { ApiError, errorMessage, parseRetryAfter, toApiError } from "./errors";

describe("toApiError", () => {
  it("reads the API's error shape", () => {
    const error = toApiError(422, { error: { code: "invalid", message: "name: too short", path: "name" } });
    expect(error).toBeInstanceOf(ApiError);
    expect([error.status, error.code, error.message, error.path]).toEqual([422, "invalid", "name: too short", "name"]);
  });
  it("copes with an answer that is not the API's shape", () => {
    const error = toApiError(502, "Bad Gateway");
    expect(error.message).toBe("The server answered 502.");
    expect(error.path).toBeNull();
  });
  it("keeps Retry-After", () => {
    expect(toApiError(429, { error: { code: "too_many_requests", message: "slow down" } }, "42").retryAfterSeconds)
      .toBe(42);
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("7")).toBe(7);
    const now = Date.parse("2026-12-03T12:00:00Z");
    expect(parseRetryAfter("Thu, 03 Dec 2026 12:01:00 GMT", now)).toBe(60);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter("soon")).toBeNull();
  });
});

describe("errorMessage", () => {
  it("says the message as a sentence, with its field", () => {
    const error = toApiError(422, { error: { code: "invalid", message: "name: too short", path: "name" } });
    expect(errorMessage(error)).toBe("Too short (field: name).");
    const other = toApiError(422, { error: { code: "invalid", message: "flow[0].module is unknown.", path: "flow[0]" } });
    expect(errorMessage(other)).toBe("Flow[0].module is unknown (field: flow[0]).");
  });
  it("says when to try again after throttling", () => {
    const limited = toApiError(429, { error: { code: "too_many_requests", message: "too many attempts" } }, "30");
    expect(errorMessage(limited)).toBe("Too many attempts. Try again in 30 seconds.");
    const once = toApiError(429, { error: { code: "too_many_requests", message: "x" } }, "1");
    expect(errorMessage(once)).toBe("Too many attempts. Try again in 1 second.");
    expect(errorMessage(toApiError(429, {}))).toBe("Too many attempts. Please wait a moment and try again.");
  });
  it("says a network failure plainly", () => {
    expect(errorMessage(new TypeError("Failed to fetch"))).toMatch(/cannot be reached/);
  });
  it("keeps a message that already ends a sentence", () => {
    expect(errorMessage(new Error("Wrong e-mail or password."))).toBe("Wrong e-mail or password.");
    expect(errorMessage("weird")).toBe("Something went wrong.");
  });
});
