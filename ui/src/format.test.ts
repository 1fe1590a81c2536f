// Unit tests for the pure formatting helpers and the engine summary.
import { describe, expect, it } from "vitest";
import {
  backfillFraction,
  formatArgValue,
  formatArgs,
  formatBlock,
  formatCount,
  formatFullLocalTime,
  formatLag,
  formatLocalTime,
  formatRelativeTime,
  formatTokenAmount,
  groupThousands,
  shortenAddress,
  visibleText,
} from "./format";
import { summarize } from "./summary";
import type { EngineStatus } from "./bindings/EngineStatus";

const ADDR = "0x1234567890abcdef1234567890abcdef1234abcd";

describe("shortenAddress", () => {
  it("keeps 4 hex digits either side", () => {
    expect(shortenAddress(ADDR)).toBe("0x1234…abcd");
  });
  it("leaves short strings alone", () => {
    expect(shortenAddress("0x1234")).toBe("0x1234");
    expect(shortenAddress("")).toBe("");
  });
});

describe("formatTokenAmount", () => {
  it.each([
    ["1250000000", 6, "1,250"],
    ["1", 18, "0.000000000000000001"],
    ["0", 18, "0"],
    ["1234567", 0, "1,234,567"],
    ["1500000", 6, "1.5"],
    ["123456789012345678901234567890", 18, "123,456,789,012.34567890123456789"],
    ["-2500", 3, "-2.5"],
    ["1000000000000000000000", 18, "1,000"],
    ["  42 ", 1, "4.2"],
  ])("(%s, %i) -> %s", (raw, decimals, expected) => {
    expect(formatTokenAmount(raw, decimals)).toBe(expected);
  });
  it("returns non-integers unchanged", () => {
    expect(formatTokenAmount("1.5", 6)).toBe("1.5");
    expect(formatTokenAmount("abc", 6)).toBe("abc");
    expect(formatTokenAmount("10", -1)).toBe("10");
  });
});

describe("counts and blocks", () => {
  it("groups thousands", () => {
    expect(groupThousands("999")).toBe("999");
    expect(groupThousands("1000")).toBe("1,000");
    expect(groupThousands("-1234567")).toBe("-1,234,567");
    expect(formatCount(0)).toBe("0");
    expect(formatCount(1234567n)).toBe("1,234,567");
  });
  it("shows block numbers as plain digits", () => {
    expect(formatBlock(19234567)).toBe("19234567");
    expect(formatBlock(null)).toBe("—");
  });
});

describe("formatLag", () => {
  it("words the lag", () => {
    expect(formatLag(0)).toBe("in sync");
    expect(formatLag(1)).toBe("1 block behind");
    expect(formatLag(2)).toBe("2 blocks behind");
    expect(formatLag(12345)).toBe("12,345 blocks behind");
    expect(formatLag(null)).toBe("unknown");
  });
});

describe("time formatting", () => {
  // Built from local components, so the tests hold in any time zone.
  const now = new Date(2024, 2, 4, 15, 0, 0).getTime();
  const at = (...parts: [number, number, number, number, number, number]) =>
    new Date(...parts).getTime() / 1000;

  it("shows only the time for today", () => {
    expect(formatLocalTime(at(2024, 2, 4, 14, 3, 22), now)).toBe("14:03:22");
  });
  it("adds the day for other days, and the year for other years", () => {
    expect(formatLocalTime(at(2024, 2, 3, 9, 5, 0), now)).toBe("3 Mar 09:05");
    expect(formatLocalTime(at(2023, 11, 31, 23, 59, 0), now)).toBe("31 Dec 2023 23:59");
  });
  it("formats the full local time", () => {
    expect(formatFullLocalTime(at(2024, 0, 2, 3, 4, 5))).toBe("2024-01-02 03:04:05");
  });
  it("says how long ago", () => {
    const s = now / 1000;
    expect(formatRelativeTime(s - 2, now)).toBe("just now");
    expect(formatRelativeTime(s + 3, now)).toBe("just now");
    expect(formatRelativeTime(s - 42, now)).toBe("42 s ago");
    expect(formatRelativeTime(s - 5 * 60, now)).toBe("5 min ago");
    expect(formatRelativeTime(s - 3 * 3600, now)).toBe("3 h ago");
    expect(formatRelativeTime(s - 3 * 86400, now)).toBe("3 d ago");
  });
});

describe("backfillFraction", () => {
  it("measures from the start block to the head", () => {
    expect(backfillFraction(100, 149, 199)).toBe(0.5);
    expect(backfillFraction(100, null, 199)).toBe(0);
    expect(backfillFraction(100, 250, 199)).toBe(1);
    expect(backfillFraction(100, 120, null)).toBeNull();
  });
});

describe("formatArgs", () => {
  it("follows the ABI order when given", () => {
    expect(formatArgs({ big: "2", small: "1" }, ["small", "big"])).toBe("small=1  big=2");
  });
  it("shows transfers as from → to  value", () => {
    const to = "0xabcdef0000000000000000000000000000005678";
    expect(formatArgs({ from: ADDR, to, value: "1250000000" })).toBe(
      "0x1234…abcd → 0xabcd…5678  1,250,000,000",
    );
  });
  it("shows other events as name=value pairs", () => {
    expect(formatArgs({ owner: ADDR, approved: true, ids: ["1", "2000"] })).toBe(
      "owner=0x1234…abcd  approved=true  ids=[1, 2,000]",
    );
  });
});

describe("summarize", () => {
  const base: EngineStatus = { running: true, networks: [], listeners: [], targets: [], streams: [], subscriptions: [], eventsStored: 0, database: "x.db", error: null, warnings: [] };
  it("is Running when healthy", () => {
    expect(summarize(base).state).toBe("Running");
  });
  it("is Stopped when not running or not yet known", () => {
    expect(summarize({ ...base, running: false }).state).toBe("Stopped");
    expect(summarize(null).state).toBe("Stopped");
  });
  it("is Problem on a network error, a failed listener or a load error", () => {
    const net = {
      name: "mainnet",
      chainId: 1 as unknown as EngineStatus["networks"][number]["chainId"],
      head: 1,
      syncedTo: 1,
      lag: 0,
      endpoints: [],
      error: "All endpoints are down.",
    };
    expect(summarize({ ...base, networks: [net] }).state).toBe("Problem");
    const listener = {
      name: "l",
      network: "mainnet",
      phase: "failed" as const,
      fromBlock: 0,
      coveredTo: null,
      events: 0,
      undecodable: 0,
    };
    expect(summarize({ ...base, listeners: [listener] }).state).toBe("Problem");
    expect(summarize(base, "Could not reach the engine.").state).toBe("Problem");
  });
});

describe("summarize engine errors", () => {
  it("is Problem when the engine could not start", () => {
    const s: EngineStatus = { running: false, networks: [], listeners: [], targets: [], streams: [], subscriptions: [], eventsStored: 0, database: "x.db", error: "bad config", warnings: [] };
    expect(summarize(s)).toEqual({ state: "Problem", reason: "bad config" });
  });
});

describe("visibleText", () => {
  it("shows characters that reorder or hide text instead of applying them", () => {
    expect(visibleText("abc\u202Eevil")).toBe("abc\\u{202E}evil");
    expect(formatArgValue("pay\u200Bme")).toBe("pay\\u{200B}me");
    expect(visibleText("plain text")).toBe("plain text");
  });
});
