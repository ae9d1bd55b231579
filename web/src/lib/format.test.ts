import { describe, expect, it } from "vitest";
import {
  copyName, countText, dateTimeText, durationText, elapsedText, matchesSearch, preciseDateTimeText, runDurationText,
  scheduleText, statusText, triggerKind,
} from "./format";

describe("scheduleText", () => {
  it("says each kind of schedule in words", () => {
    expect(scheduleText({ type: "immediately" })).toBe("Immediately");
    expect(scheduleText({ type: "interval", minutes: 15 })).toBe("Every 15 minutes");
    expect(scheduleText({ type: "interval", minutes: 1 })).toBe("Every 1 minute");
    expect(scheduleText({ type: "cron", expression: "0 9 * * 1-5", timezone: "Europe/Prague" }))
      .toBe("Cron 0 9 * * 1-5 (Europe/Prague)");
    expect(scheduleText({ type: "on_demand" })).toBe("On demand");
  });
  it("treats a missing schedule as immediate (the engine's default)", () => {
    expect(scheduleText(undefined)).toBe("Immediately");
    expect(scheduleText(null)).toBe("Immediately");
  });
});

describe("triggerKind", () => {
  it("names webhooks and other apps' modules", () => {
    expect(triggerKind("webhooks.custom")).toBe("Webhook");
    expect(triggerKind("email.watch_emails")).toBe("Email watch emails");
    expect(triggerKind(undefined)).toBe("None");
  });
});

describe("statusText", () => {
  it("capitalises a run status", () => {
    expect(statusText("success")).toBe("Success");
    expect(statusText("incomplete")).toBe("Incomplete");
  });
});

describe("dateTimeText", () => {
  it("formats a moment in the given zone and locale", () => {
    expect(dateTimeText("2026-12-03T13:05:00Z", "en-GB", "Europe/Prague")).toBe("3 Dec 2026, 14:05");
  });
  it("answers nothing for no or an unreadable moment", () => {
    expect(dateTimeText(null)).toBe("");
    expect(dateTimeText("yesterday-ish")).toBe("");
  });
});

describe("durationText", () => {
  it("says seconds, minutes and whole hours", () => {
    expect(durationText(30)).toBe("30 seconds");
    expect(durationText(1)).toBe("1 second");
    expect(durationText(60)).toBe("1 minute");
    expect(durationText(90)).toBe("2 minutes");
    expect(durationText(1200)).toBe("20 minutes");
    expect(durationText(43200)).toBe("12 hours");
  });
});

describe("copyName", () => {
  it("names a copy, and a copy of a copy, without clashing", () => {
    expect(copyName("Orders")).toBe("Orders (copy)");
    expect(copyName("Orders", ["Orders (copy)"])).toBe("Orders (copy 2)");
    expect(copyName("Orders (copy)", ["Orders (copy)", "Orders (copy 2)"])).toBe("Orders (copy 3)");
  });
});

describe("matchesSearch", () => {
  it("needs every word, in any letter case and order", () => {
    expect(matchesSearch("Big orders to the sink", "SINK big")).toBe(true);
    expect(matchesSearch("Big orders", "small")).toBe(false);
    expect(matchesSearch("Anything", "  ")).toBe(true);
  });
});

describe("countText", () => {
  it("groups digits as the locale does", () => {
    expect(countText(0, "en")).toBe("0");
    expect(countText(12345, "en")).toBe("12,345");
    expect(countText(1234567, "de")).toBe("1.234.567");
  });
});

describe("preciseDateTimeText", () => {
  it("shows the seconds too", () => {
    expect(preciseDateTimeText("2026-12-03T14:05:09Z", "en-GB", "UTC")).toBe("3 Dec 2026, 14:05:09");
    expect(preciseDateTimeText(null)).toBe("");
    expect(preciseDateTimeText("not a date")).toBe("");
  });
});

describe("elapsedText and runDurationText", () => {
  it("says a duration with the unit that fits", () => {
    expect(elapsedText(0.4)).toBe("under 1 ms");
    expect(elapsedText(5.4)).toBe("5 ms");
    expect(elapsedText(1250)).toBe("1.2 s");
    expect(elapsedText(125_000)).toBe("2 min 5 s");
    expect(elapsedText(3_780_000)).toBe("1 h 3 min");
  });

  it("measures a run from its start to its end, and says nothing while it is not finished", () => {
    expect(runDurationText("2026-12-03T14:05:09.000Z", "2026-12-03T14:05:09.005Z")).toBe("5 ms");
    expect(runDurationText("2026-12-03T14:05:09.000Z", null)).toBe("");
    expect(runDurationText(null, "2026-12-03T14:05:09.005Z")).toBe("");
  });
});
