import { describe, expect, it } from "vitest";
import { oauthOutcome, sortConnections, statusOf, testOutcome, typeLabel } from "./list";

const types = [{ key: "http.bearer", label: "Bearer token" }, { key: "email.smtp", label: "SMTP server" }];
const row = (id: string, name: string, type: string, extra: object = {}) => ({ id, name, type, flagged: false, ...extra });

describe("sortConnections", () => {
  it("orders by type label, then name", () => {
    const list = [row("1", "zeta", "email.smtp"), row("2", "Mail 10", "email.smtp"), row("3", "Mail 9", "email.smtp"),
      row("4", "API", "http.bearer"), row("5", "Old", "gone.type")];
    expect(sortConnections(list, types).map((c) => c.id)).toEqual(["4", "5", "3", "2", "1"]);
  });
  it("names a type that is not installed by its key", () => {
    expect(typeLabel("gone.type", types)).toBe("gone.type");
  });
});

describe("statusOf", () => {
  it("says refused, connected, not connected or ready", () => {
    expect(statusOf(row("1", "a", "x", { flagged: true, authorized: true })).text).toBe("Refused by the service");
    expect(statusOf(row("1", "a", "x", { authorized: true }))).toEqual({ text: "Connected", tone: "ok" });
    expect(statusOf(row("1", "a", "x", { authorized: false })).text).toBe("Not connected");
    expect(statusOf(row("1", "a", "x", { authorized: null })).text).toBe("Ready");
  });
});

describe("testOutcome", () => {
  it("says whether it works and what the test said", () => {
    expect(testOutcome("Mail", { ok: true, message: "Connected to a:25 (no TLS, no login)" }))
      .toEqual({ ok: true, text: "“Mail” works: Connected to a:25 (no TLS, no login)." });
    expect(testOutcome("Mail", { ok: false, message: "ConnectionError: refused." }))
      .toEqual({ ok: false, text: "“Mail” failed the test: ConnectionError: refused." });
  });
});

describe("oauthOutcome", () => {
  const list = [row("c1", "Service", "http.oauth2", { authorized: true })];
  it("names the connection that was connected", () => {
    expect(oauthOutcome(new URLSearchParams("oauth=connected&connection=c1"), list))
      .toEqual({ ok: true, text: "“Service” is connected." });
    expect(oauthOutcome(new URLSearchParams("oauth=connected&connection=c9"), undefined)?.text)
      .toBe("The connection is connected.");
  });
  it("gives the service's reason for a refusal", () => {
    expect(oauthOutcome(new URLSearchParams("oauth=refused&message=the service did not authorize: access_denied"), list))
      .toEqual({ ok: false, text: "Connecting failed: the service did not authorize: access_denied." });
    expect(oauthOutcome(new URLSearchParams("oauth=refused"), list)?.text).toContain("no reason given");
  });
  it("says nothing without a result", () => {
    expect(oauthOutcome(new URLSearchParams(""), list)).toBeNull();
  });
});
