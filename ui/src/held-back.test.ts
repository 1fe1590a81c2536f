// Unit tests for why delivery targets hold messages back, in words.
import { describe, expect, it } from "vitest";
import { goesOut, heldBackText, waitingFor } from "./held-back";

const NOW = new Date(2024, 2, 4, 14, 0, 0).getTime();

describe("held-back messages in words", () => {
  it("names the pop-up limit, how many per how long, and when the next go out", () => {
    const held = { reason: { kind: "burstLimit", burst: 3, seconds: 60 }, untilMs: NOW + 40_000 } as const;
    expect(waitingFor(held.reason)).toBe("for the pop-up limit");
    expect(heldBackText(held, NOW)).toBe("At most 3 pop-ups per minute, then one summary for the rest: the next go out in 40 s.");
    expect(heldBackText({ reason: { kind: "burstLimit", burst: 1, seconds: 300 }, untilMs: NOW + 150_000 }, NOW)).toBe(
      "At most 1 pop-up per 5 minutes, then one summary for the rest: the next go out in 3 min.",
    );
    expect(heldBackText({ reason: { kind: "burstLimit", burst: 10, seconds: 90 }, untilMs: NOW - 5 }, NOW)).toBe(
      "At most 10 pop-ups per 90 s, then one summary for the rest: the next go out now.",
    );
  });
  it("names quiet hours and when they end", () => {
    const held = { reason: { kind: "quietHours", start: 22 * 60, end: 7 * 60 }, untilMs: NOW + 8 * 3_600_000 } as const;
    expect(waitingFor(held.reason)).toBe("for quiet hours to end");
    expect(heldBackText(held, NOW)).toBe("Quiet hours (22:00–07:00): no pop-ups until 07:00, then what waits goes out, summarised.");
  });
  it("says a later time of day once it is an hour or more away", () => {
    expect(goesOut(NOW + 2 * 3_600_000, NOW)).toBe("at 16:00");
    expect(goesOut(NOW + 89_000, NOW)).toBe("in 89 s");
  });
});
