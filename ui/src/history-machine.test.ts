// Unit tests for History's loading machine: loads, counts, stale answers, live refreshes and reloads.
import { describe, expect, it } from "vitest";
import { EMPTY_FILTER } from "./history-model";
import {
  PAGE_SIZE,
  REFRESH_MS,
  countLabel,
  createSeenEvents,
  initialState,
  isBusy,
  pageRequest,
  pillCount,
  transition,
  type HistoryEffect,
  type HistoryEvent,
  type HistoryState,
} from "./history-machine";
import type { EventFilter } from "./bindings/EventFilter";
import type { HistoryIndex } from "./bindings/HistoryIndex";
import type { StoredEvent } from "./bindings/StoredEvent";

function event(id: number, over: Partial<StoredEvent> = {}): StoredEvent {
  return {
    id,
    network: "mainnet",
    chainId: 1,
    blockNumber: 100 + id,
    blockHash: `0x${"ab".repeat(32)}`,
    blockTime: 1_700_000_000 + id,
    txHash: `0x${"cd".repeat(32)}`,
    logIndex: 0,
    contract: "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48",
    event: "Transfer",
    signature: "Transfer(address,address,uint256)",
    listener: "usdc",
    listeners: ["usdc"],
    status: "pending",
    args: {},
    argNames: [],
    decimals: null,
    symbol: null,
    ...over,
  };
}

/** `n` rows, newest first, from id `top` down. */
function rows(n: number, top = 1000): StoredEvent[] {
  return Array.from({ length: n }, (_, k) => event(top - k));
}

function index(count: number, anchors: number[] = []): HistoryIndex {
  return { count, every: PAGE_SIZE, anchors };
}

/** Feeds events one after another; keeps the state and every effect, as the screen would. */
class Driver {
  state: HistoryState = initialState();
  effects: HistoryEffect[] = [];

  send(...events: HistoryEvent[]): HistoryEffect[] {
    const out: HistoryEffect[] = [];
    for (const e of events) {
      const step = transition(this.state, e);
      this.state = step.state;
      out.push(...step.effects);
    }
    this.effects.push(...out);
    return out;
  }

  /** The seq of the last load asked for. */
  get seq(): number {
    return this.state.seq;
  }

  /** Loads asked for so far (their index fetches, one per load). */
  loads(): Extract<HistoryEffect, { type: "fetchIndex" }>[] {
    return this.effects.filter((e): e is Extract<HistoryEffect, { type: "fetchIndex" }> => e.type === "fetchIndex");
  }

  lastLoad(): HistoryEffect | undefined {
    const all = this.loads();
    return all[all.length - 1];
  }

  /** Opens the screen and lets the first load finish with `total` rows (a full first page). */
  loaded(total = 5000): this {
    this.send({ type: "open", watching: true });
    const seq = this.seq;
    this.send({ type: "page", seq, rows: rows(PAGE_SIZE) }, { type: "count", seq, index: index(total) });
    return this;
  }

  /** Runs the timer asked for last of that kind. */
  fire(timer: "refresh" | "reload", watching = true): HistoryEffect[] {
    return this.send({ type: "timer", timer, watching });
  }
}

const shows = (effects: HistoryEffect[]) => effects.filter((e) => e.type === "show");
const timers = (effects: HistoryEffect[]) => effects.filter((e) => e.type === "timer");
const USDC: EventFilter = { ...EMPTY_FILTER, listener: "usdc" };
const WETH: EventFilter = { ...EMPTY_FILTER, listener: "weth" };
const PENDING: EventFilter = { ...EMPTY_FILTER, status: "pending" };

describe("first load", () => {
  it("asks for the first page and the count, and says it is busy until both are in", () => {
    const d = new Driver();
    expect(d.send({ type: "warm" })).toEqual([
      { type: "fetchPage", seq: 1, filter: EMPTY_FILTER, sort: "newest" },
      { type: "fetchIndex", seq: 1, filter: EMPTY_FILTER, sort: "newest" },
    ]);
    expect(isBusy(d.state)).toBe(true);
    // Opening the screen while it loads asks for nothing more.
    expect(d.send({ type: "open", watching: true }, { type: "warm" })).toEqual([]);
    expect(countLabel(d.state)).toBe("");
  });

  it("count before the page: the page is shown once, with the count", () => {
    const d = new Driver();
    d.send({ type: "warm" });
    expect(d.send({ type: "count", seq: 1, index: index(250_000) })).toEqual([]);
    const page = rows(PAGE_SIZE);
    const out = d.send({ type: "page", seq: 1, rows: page });
    expect(shows(out)).toEqual([{ type: "show", total: 250_000, rows: page, keepPosition: false, shift: 0, select: null }]);
    expect(countLabel(d.state)).toBe("250,000 events");
    expect(d.state.kind).toBe("loaded");
    expect(isBusy(d.state)).toBe(false);
  });

  it("count after the page: the page is shown at once (counting…), then the count in place", () => {
    const d = new Driver();
    d.send({ type: "warm" });
    const page = rows(PAGE_SIZE);
    const first = d.send({ type: "page", seq: 1, rows: page });
    expect(shows(first)).toEqual([{ type: "show", total: PAGE_SIZE, rows: page, keepPosition: false, shift: 0, select: null }]);
    expect(countLabel(d.state)).toBe("100 events+ (counting…)");
    expect(isBusy(d.state)).toBe(true);

    const second = d.send({ type: "count", seq: 1, index: index(250_000) });
    // In place, the selection kept: only the count is new.
    expect(shows(second)).toEqual([{ type: "show", total: 250_000, rows: page, keepPosition: true, shift: 0, select: null }]);
    expect(countLabel(d.state)).toBe("250,000 events");
    expect(d.state.kind).toBe("loaded");
  });

  it("a short first page is the whole answer: shown without waiting for the count", () => {
    const d = new Driver();
    d.send({ type: "warm" });
    const out = d.send({ type: "page", seq: 1, rows: rows(7) });
    expect(shows(out).map((e) => e.total)).toEqual([7]);
    expect(d.state.kind).toBe("loaded");
    expect(d.send({ type: "count", seq: 1, index: index(7) })).toEqual([]);
  });

  it("a count that fails after the page was shown stops saying counting… and reports it", () => {
    const d = new Driver();
    d.send({ type: "warm" }, { type: "page", seq: 1, rows: rows(PAGE_SIZE) });
    const out = d.send({ type: "failed", seq: 1, error: "disk I/O error" });
    expect(out).toEqual([{ type: "failed", error: "disk I/O error" }]);
    expect(countLabel(d.state)).toBe("100 events");
    expect(isBusy(d.state)).toBe(false);
  });

  it("a failed first load leaves nothing loaded, and opening the screen tries again", () => {
    const d = new Driver();
    d.send({ type: "warm" });
    expect(d.send({ type: "failed", seq: 1, error: "locked" })).toEqual([{ type: "failed", error: "locked" }]);
    expect(d.state.kind).toBe("idle");
    expect(d.send({ type: "count", seq: 1, index: index(3) })).toEqual([]);
    expect(d.send({ type: "open", watching: true }).map((e) => e.type)).toEqual(["fetchPage", "fetchIndex"]);
  });
});

describe("stale answers", () => {
  it("an answer to an older load is dropped, whichever comes first", () => {
    const d = new Driver().loaded();
    d.send({ type: "filter", filter: USDC });
    const a = d.seq;
    d.send({ type: "filter", filter: WETH });
    const b = d.seq;
    expect(b).toBeGreaterThan(a);
    expect(d.send({ type: "page", seq: a, rows: rows(PAGE_SIZE) }, { type: "count", seq: a, index: index(42) })).toEqual([]);
    expect(d.send({ type: "failed", seq: a, error: "late" })).toEqual([]);
    expect(countLabel(d.state)).toBe("5,000 events");
    expect(isBusy(d.state)).toBe(true);

    const out = d.send({ type: "page", seq: b, rows: rows(3) });
    expect(shows(out).map((e) => e.total)).toEqual([3]);
    expect(d.state.view).toMatchObject({ filter: WETH, sort: "newest" });
  });

  it("a filter change drops what the load in flight would have shown", () => {
    const d = new Driver().loaded();
    d.send({ type: "filter", filter: USDC });
    const usdc = d.seq;
    d.send({ type: "page", seq: usdc, rows: rows(PAGE_SIZE) }); // shown, still counting
    expect(countLabel(d.state)).toBe("100 events+ (counting…)");

    d.send({ type: "filter", filter: EMPTY_FILTER });
    const all = d.seq;
    // The usdc count arrives late: it neither shows nor ends the newer load.
    expect(d.send({ type: "count", seq: usdc, index: index(1234) })).toEqual([]);
    expect(isBusy(d.state)).toBe(true);
    d.send({ type: "count", seq: all, index: index(9000) });
    const out = d.send({ type: "page", seq: all, rows: rows(PAGE_SIZE) });
    expect(shows(out).map((e) => e.total)).toEqual([9000]);
    expect(d.state.view?.filter).toEqual(EMPTY_FILTER);
    expect(isBusy(d.state)).toBe(false);
  });
});

describe("a new order of the same filter", () => {
  it("shows at once with the count it knows, and again only if the count differs", () => {
    const d = new Driver().loaded(5000);
    const asked = d.send({ type: "sort", sort: "amountDesc" });
    expect(asked.map((e) => e.type)).toEqual(["fetchPage", "fetchIndex"]);
    const seq = d.seq;
    const page = rows(PAGE_SIZE);
    expect(shows(d.send({ type: "page", seq, rows: page })).map((e) => e.total)).toEqual([5000]);
    expect(countLabel(d.state)).toBe("5,000 events");
    expect(shows(d.send({ type: "count", seq, index: index(5000) }))).toEqual([]);
    expect(d.state.kind).toBe("loaded");

    d.send({ type: "sort", sort: "amountAsc" });
    const again = d.seq;
    d.send({ type: "page", seq: again, rows: page });
    expect(shows(d.send({ type: "count", seq: again, index: index(5003) }))).toEqual([
      { type: "show", total: 5003, rows: page, keepPosition: true, shift: 0, select: null },
    ]);
  });
});

describe("live events", () => {
  it("new events at the top are counted and refreshed in, once, while the newest are watched", () => {
    const d = new Driver().loaded(5000);
    const out = d.send(
      { type: "notice", event: event(2001), isNew: true, watching: true },
      { type: "notice", event: event(2002), isNew: true, watching: true },
    );
    expect(out).toEqual([{ type: "timer", timer: "refresh", ms: 0 }]);
    const refresh = d.fire("refresh");
    expect(refresh).toEqual([
      { type: "fetchPage", seq: 2, filter: EMPTY_FILTER, sort: "newest" },
      { type: "fetchIndex", seq: 2, filter: EMPTY_FILTER, sort: "newest" },
      { type: "timer", timer: "refresh", ms: REFRESH_MS },
    ]);
    expect(isBusy(d.state)).toBe(false); // a live refresh is not the user's
    const page = rows(PAGE_SIZE, 2002);
    expect(shows(d.send({ type: "page", seq: 2, rows: page }))).toEqual([
      { type: "show", total: 5002, rows: page, keepPosition: true, shift: 2, select: null },
    ]);
  });

  it("events that arrive while scrolled away wait on the pill, which shows them", () => {
    const d = new Driver().loaded(5000);
    expect(d.send({ type: "notice", event: event(2001), isNew: true, watching: false })).toEqual([]);
    expect(d.send({ type: "notice", event: event(2002, { listener: "other" }), isNew: true, watching: false })).toEqual([]);
    expect(pillCount(d.state, false)).toBe(2);
    expect(pillCount(d.state, true)).toBe(0);
    // Scrolling back to the top takes them in.
    expect(d.send({ type: "moved", watching: true })).toEqual([{ type: "timer", timer: "refresh", ms: 0 }]);
  });

  it("events not matching the filter are not counted as new", () => {
    const d = new Driver().loaded();
    d.send({ type: "filter", filter: USDC });
    d.send({ type: "page", seq: d.seq, rows: rows(5) });
    d.send({ type: "notice", event: event(3000, { listener: "weth", listeners: ["weth"] }), isNew: true, watching: false });
    expect(pillCount(d.state, false)).toBe(0);
  });

  it("events arriving during a load the user asked for bring exactly one refresh after it", () => {
    const d = new Driver().loaded(5000);
    d.send({ type: "sort", sort: "newest" });
    const seq = d.seq;
    for (let k = 1; k <= 5; k++) {
      expect(d.send({ type: "notice", event: event(2000 + k), isNew: true, watching: true })).toEqual([]);
    }

    const after = d.send({ type: "page", seq, rows: rows(PAGE_SIZE) }, { type: "count", seq, index: index(5006) });
    expect(timers(after)).toEqual([{ type: "timer", timer: "refresh", ms: 0 }]);
    const loadsBefore = d.loads().length;
    d.fire("refresh");
    expect(d.loads().length).toBe(loadsBefore + 1);
    expect(d.lastLoad()).toMatchObject({ seq: seq + 1, sort: "newest" });
  });

  it("refreshes come at most once per REFRESH_MS: one asked for meanwhile runs when it ends", () => {
    const d = new Driver().loaded();
    d.send({ type: "notice", event: event(2001), isNew: true, watching: true });
    d.fire("refresh");
    const first = d.seq;
    d.send({ type: "page", seq: first, rows: rows(PAGE_SIZE, 2001) }, { type: "count", seq: first, index: index(5001) });
    expect(d.send({ type: "notice", event: event(2002), isNew: true, watching: true })).toEqual([]);
    const loads = d.loads().length;
    d.fire("refresh"); // the cooldown's end
    expect(d.loads().length).toBe(loads + 1);
  });
});

describe("reloads in place", () => {
  it("rows leaving a status filter reload it once, after REFRESH_MS", () => {
    const d = new Driver().loaded();
    d.send({ type: "filter", filter: PENDING });
    d.send({ type: "page", seq: d.seq, rows: rows(PAGE_SIZE) }, { type: "count", seq: d.seq, index: index(400) });
    const confirmed = (id: number) => ({ type: "notice" as const, event: event(id, { status: "confirmed" }), isNew: false, watching: true });
    expect(d.send(confirmed(990))).toEqual([{ type: "timer", timer: "reload", ms: REFRESH_MS }]);
    expect(d.send(confirmed(991), confirmed(992))).toEqual([]); // one timer at a time
    const loads = d.loads().length;
    d.fire("reload");
    expect(d.loads().length).toBe(loads + 1);
    expect(d.lastLoad()).toMatchObject({ filter: PENDING, sort: "newest" });
    expect(isBusy(d.state)).toBe(false);
    d.send({ type: "page", seq: d.seq, rows: rows(PAGE_SIZE) }, { type: "count", seq: d.seq, index: index(397) });
    expect(timers(d.effects.slice(-3))).toEqual([]);
    expect(countLabel(d.state)).toBe("397 events");
  });

  it("rows leaving a status filter during a load bring exactly one reload after it", () => {
    const d = new Driver().loaded();
    d.send({ type: "filter", filter: PENDING });
    d.send({ type: "page", seq: d.seq, rows: rows(PAGE_SIZE) }, { type: "count", seq: d.seq, index: index(400) });
    const confirmed = (id: number) => ({ type: "notice" as const, event: event(id, { status: "confirmed" }), isNew: false, watching: true });
    expect(d.send(confirmed(990))).toEqual([{ type: "timer", timer: "reload", ms: REFRESH_MS }]);
    d.send({ type: "sort", sort: "oldest" });
    const seq = d.seq;
    expect(d.fire("reload")).toEqual([]); // due during the load: it waits
    expect(d.send(confirmed(991), confirmed(992), { type: "resync" })).toEqual([]);
    const after = d.send({ type: "page", seq, rows: rows(PAGE_SIZE) }, { type: "count", seq, index: index(5000) });
    expect(timers(after)).toEqual([{ type: "timer", timer: "reload", ms: REFRESH_MS }]);
    const loads = d.loads().length;
    d.fire("reload");
    expect(d.loads().length).toBe(loads + 1);
    expect(d.lastLoad()).toMatchObject({ filter: PENDING, sort: "oldest" });
    d.send({ type: "page", seq: d.seq, rows: rows(PAGE_SIZE) }, { type: "count", seq: d.seq, index: index(397) });
    expect(timers(d.effects.slice(-3))).toEqual([]);
  });

  it("status changes without a status filter reload nothing; before the first load, neither does a resync", () => {
    expect(new Driver().send({ type: "resync" })).toEqual([]);
    const d = new Driver().loaded();
    expect(d.send({ type: "notice", event: event(990, { status: "confirmed" }), isNew: false, watching: true })).toEqual([]);
  });
});

describe("the new-events pill", () => {
  it("oldest first, shows only the new events and selects the newest", () => {
    const d = new Driver().loaded();
    d.send({ type: "sort", sort: "oldest" });
    d.send({ type: "page", seq: d.seq, rows: rows(PAGE_SIZE) }, { type: "count", seq: d.seq, index: index(5000) });
    d.send({ type: "notice", event: event(2001), isNew: true, watching: false });
    expect(d.send({ type: "showNew" })).toEqual([{ type: "fetchIndex", seq: d.seq, filter: EMPTY_FILTER, sort: "oldest" }]);
    expect(shows(d.send({ type: "count", seq: d.seq, index: index(5001) }))).toEqual([
      { type: "show", total: 5001, rows: null, keepPosition: false, shift: 0, select: 5000 },
    ]);
  });
});

describe("pageRequest", () => {
  it("starts a page at its anchor when known, else skips the rows pushed since the load", () => {
    const d = new Driver().loaded();
    d.send({ type: "filter", filter: USDC });
    d.send({ type: "count", seq: d.seq, index: index(500, [900, 800]) });
    d.send({ type: "page", seq: d.seq, rows: rows(PAGE_SIZE) });
    d.send({ type: "notice", event: event(5000), isNew: true, watching: false });
    expect(pageRequest(d.state, 100)).toEqual({ filter: USDC, sort: "newest", offset: 100, anchor: 800 });
    expect(pageRequest(d.state, 300)).toEqual({ filter: USDC, sort: "newest", offset: 301, anchor: null });
    expect(pageRequest(initialState(), 0)).toEqual({ filter: EMPTY_FILTER, sort: "newest", offset: 0, anchor: null });
  });
});

describe("createSeenEvents", () => {
  it("tells new events from changes of rows loaded or pushed before", () => {
    const seen = createSeenEvents(2);
    seen.noteRows([event(10), event(9)]);
    expect(seen.notePushed(event(9, { status: "confirmed" }))).toBe(false);
    expect(seen.notePushed(event(11))).toBe(true);
    expect(seen.notePushed(event(11, { status: "confirmed" }))).toBe(false);
    expect(seen.notePushed(event(11, { listeners: ["usdc", "other"] }))).toBe(false); // one more listener: the same row
  });
});
