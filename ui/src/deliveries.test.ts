import { describe, expect, it } from "vitest";
import { targetLabel, targetSummary } from "./views/deliveries";

describe("delivery targets in words", () => {
  it("names targets for people", () => {
    expect(targetLabel("desktop")).toBe("Desktop notifications");
    expect(targetLabel("webhook:ops")).toBe("Webhook “ops”");
    expect(targetLabel("rabbitmq:bus")).toBe("RabbitMQ “bus”");
  });
  it("summarises the queue", () => {
    const now = 1_700_000_000_000;
    expect(targetSummary({ target: "desktop", queued: 0, parked: 0, held: 0, lastError: null, lastOkMs: null, heldBack: null }, now)).toBe(
      "nothing sent yet",
    );
    expect(
      targetSummary({ target: "webhook:ops", queued: 3, parked: 2, held: 0, lastError: "x", lastOkMs: now - 120_000, heldBack: null }, now),
    ).toBe("3 waiting · 2 parked · last delivered 2 min ago");
    expect(targetSummary({ target: "webhook:ops", queued: 0, parked: 1, held: 6, lastError: "x", lastOkMs: null, heldBack: null }, now)).toBe(
      "6 held behind 1 parked",
    );
  });
  it("says what the waiting pop-ups wait for", () => {
    const now = 1_700_000_000_000;
    const held = { reason: { kind: "burstLimit", burst: 3, seconds: 60 }, untilMs: now + 40_000 } as const;
    expect(targetSummary({ target: "desktop", queued: 9, parked: 0, held: 0, lastError: null, lastOkMs: now - 5_000, heldBack: held }, now)).toBe(
      "9 waiting for the pop-up limit · last delivered 5 s ago",
    );
    const quiet = { reason: { kind: "quietHours", start: 1320, end: 420 }, untilMs: now } as const;
    expect(targetSummary({ target: "desktop", queued: 1, parked: 0, held: 0, lastError: null, lastOkMs: null, heldBack: quiet }, now)).toBe(
      "1 waiting for quiet hours to end",
    );
  });
});
