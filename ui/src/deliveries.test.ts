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
});
