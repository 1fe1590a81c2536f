// Unit tests for the live feed model: ordering, updates, the row cap and pausing.
import { describe, expect, it } from "vitest";
import { FeedModel, listenerNames } from "./feed-model";
import type { StoredEvent } from "./bindings/StoredEvent";
import type { EventStatus } from "./bindings/EventStatus";

function ev(id: number, status: EventStatus = "pending"): StoredEvent {
  return {
    id,
    network: "mainnet",
    chainId: 1,
    blockNumber: 100 + id,
    blockHash: "0x",
    blockTime: 1_700_000_000 + id,
    txHash: "0x",
    logIndex: 0,
    contract: "0x0000000000000000000000000000000000000001",
    event: "Transfer",
    signature: "Transfer(address,address,uint256)",
    listener: "l",
    listeners: ["l"],
    argNames: [],
    decimals: null,
    symbol: null,
    status,
    args: {},
  };
}

const ids = (m: FeedModel) => m.visible.map((e) => e.id);

describe("FeedModel", () => {
  it("keeps the newest first whatever the arrival order", () => {
    const m = new FeedModel();
    [3, 2, 1].forEach((i) => m.upsert(ev(i)));
    m.upsert(ev(5));
    const ops = m.upsert(ev(4));
    expect(ids(m)).toEqual([5, 4, 3, 2, 1]);
    expect(ops).toEqual([{ type: "insert", event: ev(4), beforeKey: "3" }]);
  });

  it("updates a known id in place", () => {
    const m = new FeedModel();
    m.upsert(ev(1));
    m.upsert(ev(2));
    const ops = m.upsert(ev(1, "removed"));
    expect(ids(m)).toEqual([2, 1]);
    expect(m.visible[1].status).toBe("removed");
    expect(ops).toEqual([{ type: "update", event: ev(1, "removed") }]);
  });

  it("caps the rows, dropping the oldest, and ignores events older than a full list", () => {
    const m = new FeedModel(3);
    [1, 2, 3].forEach((i) => m.upsert(ev(i)));
    const ops = m.upsert(ev(4));
    expect(ids(m)).toEqual([4, 3, 2]);
    expect(ops[ops.length - 1]).toEqual({ type: "remove", key: "1" });
    expect(m.upsert(ev(1, "confirmed"))).toEqual([]);
    expect(ids(m)).toEqual([4, 3, 2]);
  });

  it("holds new events while paused and shows them all on resume", () => {
    const m = new FeedModel();
    m.upsert(ev(1));
    m.pause();
    expect(m.upsert(ev(2))).toEqual([]);
    m.upsert(ev(3));
    m.upsert(ev(2, "confirmed")); // a change to a held event is not a new one
    expect(m.bufferedCount).toBe(2);
    expect(ids(m)).toEqual([1]);
    // Rows already shown still change in place.
    expect(m.upsert(ev(1, "confirmed"))).toHaveLength(1);
    const ops = m.resume();
    expect(ops.filter((o) => o.type === "insert")).toHaveLength(2);
    expect(ids(m)).toEqual([3, 2, 1]);
    expect(m.visible[1].status).toBe("confirmed");
    expect(m.bufferedCount).toBe(0);
    expect(m.isPaused).toBe(false);
  });

  it("keeps one row per log, with every listener that matched it", () => {
    const m = new FeedModel(10);
    m.upsert(ev(5));
    const both = { ...ev(5), listeners: ["l", "other"] };
    const ops = m.upsert(both);
    expect(ops).toEqual([{ type: "update", event: both }]);
    expect(m.visible.map((e) => listenerNames(e))).toEqual(["l, other"]);
  });
});
