// Unit tests for the dashboard's engine health in words.
import { describe, expect, it } from "vitest";
import { healthLines } from "./views/dashboard";
import type { EngineStatus } from "./bindings/EngineStatus";

const STATUS: EngineStatus = {
  running: true,
  streams: [],
  subscriptions: [],
  error: null,
  eventsStored: 1_234,
  warnings: [],
  database: "/tmp/tw.db",
  networks: [
    {
      name: "mainnet",
      chainId: 1,
      head: 21_450_000,
      syncedTo: 21_449_999,
      lag: 1,
      endpoints: [
        { url: "https://eth.example.com/v2/****", health: "ok", lastError: null },
        { url: "https://rpc.ankr.com/eth", health: "rateLimited", lastError: "429 Too Many Requests" },
      ],
      error: null,
    },
    { name: "base", chainId: 8453, head: null, syncedTo: null, lag: null, endpoints: [], error: "Cannot reach any endpoint for base." },
  ],
  listeners: [
    { name: "a", network: "mainnet", phase: "live", fromBlock: 1, coveredTo: 2, events: 1, undecodable: 0 },
    { name: "b", network: "mainnet", phase: "live", fromBlock: 1, coveredTo: 2, events: 1, undecodable: 0 },
    { name: "c", network: "base", phase: "backfilling", fromBlock: 1, coveredTo: 2, events: 1, undecodable: 0 },
    { name: "d", network: "base", phase: "failed", fromBlock: 1, coveredTo: null, events: 0, undecodable: 0 },
  ],
  targets: [
    { target: "desktop", queued: 0, parked: 0, held: 0, lastError: null, lastOkMs: null, heldBack: null },
    { target: "webhook:ops", queued: 3, parked: 2, held: 5, lastError: "cannot connect", lastOkMs: null, heldBack: null },
  ],
};

describe("healthLines", () => {
  it("puts the engine, each network, listeners, events and deliveries in words", () => {
    const lines = healthLines(STATUS).map(({ label, text, tone, details }) => ({ label, text, tone, details }));
    expect(lines).toEqual([
      { label: "Engine", text: "Running", tone: "ok", details: [] },
      { label: "mainnet", text: "1 block behind · head 21,450,000", tone: "warn", details: ["rpc.ankr.com rate limited: 429 Too Many Requests"] },
      { label: "base", text: "Cannot reach any endpoint for base.", tone: "bad", details: [] },
      { label: "Listeners", text: "2 live · 1 backfilling · 1 failed", tone: "bad", details: ["d has failed"] },
      { label: "Events stored", text: "1,234", tone: "idle", details: [] },
      { label: "Deliveries", text: "3 waiting · 5 held behind 2 parked", tone: "warn", details: ["Webhook “ops”: cannot connect"] },
    ]);
  });

  it("says when there is nothing yet", () => {
    expect(healthLines(null).map((l) => l.text)).toEqual(["Waiting for the engine…"]);
    const empty = healthLines({ ...STATUS, running: false, networks: [], listeners: [], targets: [] });
    expect(empty.map((l) => l.text)).toEqual(["Stopped", "None configured", "None configured", "1,234", "No delivery targets"]);
  });

  it("says why pop-ups wait and when they go out", () => {
    const heldBack = { reason: { kind: "burstLimit", burst: 3, seconds: 60 }, untilMs: Date.now() + 40_000 } as const;
    const desktop = { target: "desktop", queued: 9, parked: 0, held: 0, lastError: null, lastOkMs: null, heldBack };
    const line = healthLines({ ...STATUS, targets: [desktop] }).find((l) => l.label === "Deliveries");
    expect(line?.text).toBe("9 waiting");
    expect(line?.details).toEqual([
      "Desktop notifications: 9 waiting for the pop-up limit. At most 3 pop-ups per minute, then one summary for the rest: the next go out in 40 s.",
    ]);
  });

  it("reports the engine's own error first", () => {
    expect(healthLines({ ...STATUS, error: "The database is locked." })[0]).toMatchObject({ text: "The database is locked.", tone: "bad" });
    const warned = healthLines({ ...STATUS, warnings: ["cannot write logs to /proc/sys: Permission denied; logging to stderr only"] })[0];
    expect(warned).toMatchObject({ text: "Running", tone: "warn", details: ["cannot write logs to /proc/sys: Permission denied; logging to stderr only"] });
  });
});
