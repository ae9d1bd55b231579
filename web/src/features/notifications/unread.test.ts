import { describe, expect, it } from "vitest";
import { kindText, unreadCount, unreadText } from "./unread";

describe("unreadCount", () => {
  it("counts the unread ones", () => {
    expect(unreadCount([{ unread: true }, { unread: false }, { unread: true }])).toBe(2);
    expect(unreadCount(undefined)).toBe(0);
  });
});

describe("unreadText", () => {
  it("says nothing for none", () => {
    expect(unreadText(0)).toBe("");
    expect(unreadText(2)).toBe("2 unread");
  });
});

describe("kindText", () => {
  it("says a kind in words", () => {
    expect(kindText("scenario_deactivated")).toBe("Scenario deactivated");
    expect(kindText("execution.incomplete")).toBe("Execution incomplete");
    expect(kindText("")).toBe("Notice");
  });
});
