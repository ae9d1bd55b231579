import { describe, expect, it } from "vitest";
import { endedBy } from "./session";

describe("endedBy", () => {
  it("takes a quiet spell as long as the idle timeout for one", () => {
    expect(endedBy(1200, 1200)).toBe("idle");
    expect(endedBy(1150, 1200)).toBe("idle"); // within the server's refresh interval of the timeout
    expect(endedBy(3.2, 3)).toBe("idle");
  });

  it("takes a session that ended while the tab was busy as ended elsewhere", () => {
    expect(endedBy(5, 1200)).toBe("elsewhere");
    expect(endedBy(1, 3)).toBe("elsewhere");
  });

  it("says idle when the tab's activity is unknown", () => {
    expect(endedBy(null, 1200)).toBe("idle");
  });
});
