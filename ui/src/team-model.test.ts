// Unit tests for team mode in words.
import { describe, expect, it } from "vitest";
import { streamRow, subscriptionRow, teamRows } from "./team-model";
import type { SubscriptionStatus } from "./bindings/SubscriptionStatus";

const SUB: SubscriptionStatus = {
  name: "desk",
  stream: "tw.events",
  connected: true,
  caughtUp: true,
  messages: 12_500,
  skipped: 0,
  nextOffset: 12_500,
  lacking: null,
  networks: ["mainnet"],
  error: null,
};

describe("team rows", () => {
  it("says a subscription is up to date and what it brings", () => {
    const r = subscriptionRow(SUB);
    expect(r.state).toBe("ok");
    expect(r.lines).toContain("Up to date with the stream.");
    expect(r.lines).toContain("12,500 messages read; next offset 12,500.");
    expect(r.lines).toContain("Brings network mainnet (no RPC needed here).");
  });
  it("names a gap, skipped messages and a problem", () => {
    const r = subscriptionRow({ ...SUB, caughtUp: false, skipped: 1, lacking: "messages 0 to 99 of stream \"tw.events\" were gone", error: "broker: connection refused" });
    expect(r.state).toBe("problem");
    expect(r.lines[0]).toBe("Not reading.");
    expect(r.lines).toContain("1 message could not be read and was skipped; the log says why.");
    expect(r.lines.some((l) => l.startsWith("Missing: messages 0 to 99"))).toBe(true);
    expect(r.lines[r.lines.length - 1]).toBe("Problem: broker: connection refused.");
  });
  it("says what a stream waits to publish", () => {
    const r = streamRow({ name: "team", stream: "tw.events", published: 3, behind: 1, lastError: null, lastOkMs: 1 });
    expect(r.state).toBe("busy");
    expect(r.lines).toEqual(["3 messages confirmed by the broker since the app started.", "About 1 stored event waits to be published."]);
  });
  it("is empty without team mode, also for a status from an older engine", () => {
    expect(teamRows(undefined, undefined)).toEqual([]);
    expect(teamRows([], [SUB]).map((r) => r.key)).toEqual(["sub:desk"]);
  });
});
