import { describe, expect, it } from "vitest";
import { compareUnits, inAmountRange, parseUnits } from "./history-match";
import type { StoredEvent } from "./bindings/StoredEvent";

const transfer = (value: string, decimals: number | null): StoredEvent =>
  ({ args: { from: "0x1", to: "0x2", value }, decimals, symbol: "USDC" }) as unknown as StoredEvent;

describe("amount bounds in token units", () => {
  it("reads amounts as typed, with grouping", () => {
    expect(parseUnits("1,000")).toBe("1000");
    expect(parseUnits(" 2.5 ")).toBe("2.5");
    expect(parseUnits("-3")).toBeNull();
    expect(parseUnits("1.2.3")).toBeNull();
    expect(parseUnits("lots")).toBeNull();
  });

  it("compares amounts of different precision", () => {
    expect(compareUnits("2.5", "2.50")).toBe(0);
    expect(compareUnits("1000", "999.99")).toBe(1);
    expect(compareUnits("0.1", "1")).toBe(-1);
  });

  it("matches an event's raw amount scaled by its token's decimals, leaving out unknown decimals", () => {
    const two5 = transfer("2500000", 6);
    expect(inAmountRange(two5, "2.5", null)).toBe(true);
    expect(inAmountRange(two5, "2.6", null)).toBe(false);
    expect(inAmountRange(two5, null, "2.4999999")).toBe(false);
    expect(inAmountRange(two5, "1", "1,000".replace(",", ""))).toBe(true);
    expect(inAmountRange(transfer("7", null), "0", null)).toBe(false);
    expect(inAmountRange(transfer("7", null), null, null)).toBe(true);
  });
});
