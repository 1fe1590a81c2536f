// Unit tests for the chart's scales: buckets, stacking, count ticks and time ticks.
import { describe, expect, it } from "vitest";
import { bucketLabel, bucketStarts, niceTicks, scale, stack, timeLabel, timeTicks } from "./chart";

describe("bucketStarts", () => {
  it("aligns buckets to multiples of their size, like the store", () => {
    expect(bucketStarts(130, 400, 60)).toEqual([120, 180, 240, 300, 360]);
    expect(bucketStarts(120, 120, 60)).toEqual([120]);
    expect(bucketStarts(0, 3_600, 60)).toHaveLength(61);
  });
});

describe("stack", () => {
  it("places points in their buckets and sums per bucket and per listener", () => {
    const s = stack(
      [
        { listener: "a", points: [[120, 2], [240, 1], [999, 5]] },
        { listener: "b", points: [[240, 3]] },
      ],
      [120, 180, 240],
    );
    expect(s.listeners).toEqual(["a", "b"]);
    expect(s.counts).toEqual([[2, 0, 1], [0, 0, 3]]);
    expect(s.totals).toEqual([2, 0, 4]);
    expect(s.sums).toEqual([3, 3]);
  });
  it("handles no series", () => {
    expect(stack([], [0, 60])).toEqual({ listeners: [], counts: [], totals: [0, 0], sums: [] });
  });
});

describe("niceTicks", () => {
  it("picks round steps that reach the maximum", () => {
    expect(niceTicks(37)).toEqual([0, 10, 20, 30, 40]);
    expect(niceTicks(4)).toEqual([0, 1, 2, 3, 4]);
    expect(niceTicks(1)).toEqual([0, 1]);
    expect(niceTicks(1_234)).toEqual([0, 500, 1_000, 1_500]);
    expect(niceTicks(0)).toEqual([0, 1]);
  });
});

describe("scale", () => {
  it("maps a domain onto a range, flipped or not", () => {
    const y = scale([0, 40], [200, 10]);
    expect(y(0)).toBe(200);
    expect(y(40)).toBe(10);
    expect(y(20)).toBe(105);
    expect(scale([5, 5], [0, 100])(5)).toBe(0);
  });
});

describe("time axis", () => {
  it("labels an hour every 10 minutes at round local times", () => {
    const from = new Date(2024, 2, 4, 13, 3).getTime() / 1000;
    const { step, ticks } = timeTicks(from, from + 3_600);
    expect(step).toBe(600);
    expect(ticks.map((t) => timeLabel(t, step))).toEqual(["13:10", "13:20", "13:30", "13:40", "13:50", "14:00"]);
  });
  it("labels a week by day", () => {
    const from = new Date(2024, 2, 4, 13, 0).getTime() / 1000;
    const { step, ticks } = timeTicks(from, from + 7 * 86_400, 8);
    expect(step).toBe(86_400);
    expect(timeLabel(ticks[0], step)).toBe("5 Mar");
    expect(ticks).toHaveLength(7);
  });
  it("labels a day every few hours", () => {
    const from = new Date(2024, 2, 4, 13, 20).getTime() / 1000;
    const { step, ticks } = timeTicks(from, from + 86_400, 8);
    expect(step).toBe(10_800);
    expect(ticks.map((t) => timeLabel(t, step))).toEqual(["15:00", "18:00", "21:00", "5 Mar", "03:00", "06:00", "09:00", "12:00"]);
  });
  it("keeps days on local midnight across a daylight saving change", () => {
    const from = new Date(2024, 9, 24, 13).getTime() / 1000;
    const { ticks } = timeTicks(from, from + 14 * 86_400, 8);
    expect(ticks.every((t) => new Date(t * 1000).getHours() === 0)).toBe(true);
  });
  it("shows the date at midnight within a day", () => {
    expect(timeLabel(new Date(2024, 2, 5).getTime() / 1000, 21_600)).toBe("5 Mar");
    expect(timeLabel(new Date(2024, 2, 5, 6).getTime() / 1000, 21_600)).toBe("06:00");
  });
  it("describes a bucket's span", () => {
    expect(bucketLabel(new Date(2024, 2, 4, 14, 0).getTime() / 1000, 1_800)).toBe("4 Mar 14:00–14:30");
  });
});
