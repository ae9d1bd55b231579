import { describe, expect, it } from "vitest";
import { bytesText, bytesUsageText, percentText, recordsUsageText } from "./usage";

describe("bytesText", () => {
  it("uses binary units with one decimal below ten", () => {
    expect(bytesText(0)).toBe("0 B");
    expect(bytesText(1023)).toBe("1023 B");
    expect(bytesText(1024)).toBe("1 KiB");
    expect(bytesText(1536)).toBe("1.5 KiB");
    expect(bytesText(10 * 1024 * 1024)).toBe("10 MiB");
    expect(bytesText(1024 ** 3)).toBe("1 GiB");
    expect(bytesText(-5)).toBe("0 B");
  });
});

describe("percentText", () => {
  it("says a small share is under one percent, not zero", () => {
    expect(percentText(0, 100)).toBe("0%");
    expect(percentText(45, 10 * 1024 * 1024)).toBe("<1%");
    expect(percentText(37, 100)).toBe("37%");
    expect(percentText(200, 100)).toBe("100%");
  });
});

describe("usage texts", () => {
  it("say what is used of the limit", () => {
    expect(bytesUsageText(45, 10 * 1024 * 1024)).toBe("45 B of 10 MiB used (<1%)");
    expect(recordsUsageText(2, 10000, "en")).toBe("2 of 10,000 records");
    expect(recordsUsageText(0, 1, "en")).toBe("0 of 1 record");
  });
});
