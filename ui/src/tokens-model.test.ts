import { describe, expect, it } from "vitest";
import { holderChart } from "./tokens-model";

describe("holders over time", () => {
  it("is a step per bucket, rising and falling with the count, and says the last and the most", () => {
    expect(holderChart({ bucketSecs: 60, points: [] })).toBeNull();
    const chart = holderChart({
      bucketSecs: 60,
      points: [
        { time: 0, lastBlock: 10, holders: 2 },
        { time: 60, lastBlock: 20, holders: 1200 },
        { time: 120, lastBlock: 30, holders: 1200 },
        { time: 180, lastBlock: 1_000, holders: 900 },
      ],
    });
    expect(chart?.steps.map((s) => [s.value, s.kind])).toEqual([[2, "up"], [1200, "up"], [1200, "flat"], [900, "down"]]);
    expect(chart?.steps[1].title).toBe("1,200 holders after block 20");
    expect(chart?.note).toBe("900 holders at block 1,000; at most 1,200");
  });
});
