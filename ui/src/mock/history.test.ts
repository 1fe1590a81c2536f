// Unit tests for the history mock: it filters, sorts, pages, counts and exports like the store.
import { describe, expect, it } from "vitest";
import { createHistoryMock } from "./history";
import { amountOf } from "../event-text";
import { EMPTY_FILTER } from "../history-model";
import type { EventFilter } from "../bindings/EventFilter";
import type { ExportProgress } from "../bindings/ExportProgress";
import type { StoredEvent } from "../bindings/StoredEvent";

const ANCHOR = 1_700_000_000;
const SYNTHETIC = 3_000;

function live(id: number, value: string): StoredEvent {
  return {
    id,
    network: "mainnet",
    chainId: 1,
    blockNumber: 21_450_000 + id,
    blockHash: "0x01",
    blockTime: ANCHOR + 60 * id,
    txHash: "0x02",
    logIndex: 0,
    contract: "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48",
    event: "Transfer",
    signature: "Transfer(address,address,uint256)",
    listener: "usdc-transfers",
    listeners: ["usdc-transfers"],
    status: "pending",
    args: { from: "0x1111111111111111111111111111111111111111", to: "0x2222222222222222222222222222222222222222", value },
    argNames: ["from", "to", "value"],
    decimals: 6,
    symbol: "USDC",
  };
}

const events = [live(1, "5"), live(2, "9".repeat(30)), live(3, "70")];
const mock = createHistoryMock(() => events, { synthetic: SYNTHETIC, anchor: ANCHOR, exportStepMs: 0 });

/** The row count the mock's `history_index` answers for a filter. */
const countOf = (m: typeof mock, filter: EventFilter): Promise<number> =>
  m.historyIndex(filter, "newest", 200).then((ix) => ix.count);

describe("history mock", () => {
  it("counts live and synthetic rows, newest first across both", async () => {
    expect(await countOf(mock, EMPTY_FILTER)).toBe(SYNTHETIC + 3);
    const first = await mock.historyPage(EMPTY_FILTER, "newest", 0, 5);
    expect(first.map((e) => e.id)).toEqual([3, 2, 1, -1, -2]);
    const last = await mock.historyPage(EMPTY_FILTER, "oldest", 0, 2);
    expect(last.map((e) => e.id)).toEqual([-SYNTHETIC, -SYNTHETIC + 1]);
  });

  it("is deterministic", async () => {
    const again = createHistoryMock(() => events, { synthetic: SYNTHETIC, anchor: ANCHOR });
    expect(await again.historyPage(EMPTY_FILTER, "newest", 100, 3)).toEqual(await mock.historyPage(EMPTY_FILTER, "newest", 100, 3));
  });

  it("pages without gaps or repeats", async () => {
    const all = await mock.historyPage(EMPTY_FILTER, "amountDesc", 0, 1_000);
    const parts = [
      ...(await mock.historyPage(EMPTY_FILTER, "amountDesc", 0, 400)),
      ...(await mock.historyPage(EMPTY_FILTER, "amountDesc", 400, 600)),
    ];
    expect(parts.map((e) => e.id)).toEqual(all.map((e) => e.id));
    expect((await mock.historyPage(EMPTY_FILTER, "newest", 0, 5_000)).length).toBe(1_000);
  });

  it("sorts by amount across live and synthetic rows", async () => {
    const rows = await mock.historyPage(EMPTY_FILTER, "amountDesc", 0, 1_000);
    expect(rows[0].id).toBe(2);
    const amounts = rows.map((e) => Number(amountOf(e)?.raw));
    expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
    const asc = await mock.historyPage(EMPTY_FILTER, "amountAsc", 0, 2);
    expect(asc[0].id).toBe(1);
  });

  it("filters every field and agrees with its count", async () => {
    const filter = { ...EMPTY_FILTER, listener: "base-usdc", status: "confirmed" as const };
    const n = await countOf(mock, filter);
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(SYNTHETIC);
    const rows = await mock.historyPage(filter, "oldest", 0, 1_000);
    expect(rows.every((e) => e.listener === "base-usdc" && e.status === "confirmed" && e.network === "base")).toBe(true);

    const someone = String(rows[0].args.from);
    const byAddress = await mock.historyPage({ ...EMPTY_FILTER, address: someone.toUpperCase().replace("0X", "0x") }, "newest", 0, 1_000);
    expect(byAddress.length).toBeGreaterThan(0);
    expect(byAddress.every((e) => e.args.from === someone || e.args.to === someone || e.args.owner === someone || e.args.spender === someone)).toBe(true);

    const block = rows[10].blockNumber;
    const time = rows[10].blockTime ?? 0;
    const ranged = await mock.historyPage({ ...filter, fromBlock: block, toBlock: block }, "newest", 0, 100);
    expect(ranged.every((e) => e.blockNumber === block)).toBe(true);
    const timed = await mock.historyPage({ ...filter, fromTime: time, toTime: time }, "newest", 0, 100);
    expect(timed.length).toBeGreaterThan(0);
    expect(timed.every((e) => e.blockTime === time)).toBe(true);
    expect(await countOf(mock, { ...EMPTY_FILTER, event: "Approval(address,address,uint256)" })).toBeGreaterThan(0);
  });

  it("rejects a bad address like the store", async () => {
    await expect(countOf(mock, { ...EMPTY_FILTER, address: "0x12" })).rejects.toEqual({
      code: "filter.invalid",
      message: 'invalid filter: address: "0x12" is not an address (0x and 40 hex digits)',
    });
    await expect(mock.historyPage({ ...EMPTY_FILTER, contract: "usdc" }, "newest", 0, 1)).rejects.toMatchObject({ code: "filter.invalid" });
  });

  it("takes a contract by its symbol on one network, and names in any case", async () => {
    const byAddress = await countOf(mock, { ...EMPTY_FILTER, contract: "0x833589fcd6edb6e08f4c7c32d4f71b54bda02913" });
    expect(await countOf(mock, { ...EMPTY_FILTER, contract: "usdc", network: "BASE" })).toBe(byAddress);
    expect(await countOf(mock, { ...EMPTY_FILTER, listener: "BASE-USDC" })).toBe(byAddress);
  });

  it("builds the dashboard from the same rows", async () => {
    const d = await mock.dashboard(7 * 86_400, 3_600);
    expect(d.until).toBe(ANCHOR + 180);
    const inSeries = d.series.reduce((n, s) => n + s.points.reduce((m, [, c]) => m + c, 0), 0);
    const inWindow = await countOf(mock, { ...EMPTY_FILTER, fromTime: ANCHOR + 180 - 7 * 86_400 });
    expect(inSeries).toBe(inWindow);
    expect(d.series.every((s) => s.points.every(([t]) => t % 3_600 === 0))).toBe(true);
    expect(d.topContracts.reduce((n, c) => n + c.count, 0)).toBe(inWindow);
    expect(d.topContracts.find((c) => c.symbol === "WETH")?.network).toBe("mainnet");
    expect(d.topAddresses.length).toBeGreaterThan(0);
    expect(d.addressSample).toBe(5_000);
  });

  it("exports with progress and says where", async () => {
    const seen: ExportProgress[] = [];
    const big = createHistoryMock(() => [], { synthetic: 25_000, anchor: ANCHOR, exportStepMs: 0 });
    const stop = await big.onExportProgress((p) => seen.push(p));
    expect(await big.exportCsv(EMPTY_FILTER, "newest")).toEqual({ path: "/home/you/tokenwatch-history.csv", rows: 25_000 });
    expect(seen).toEqual([
      { written: 0, total: 25_000 },
      { written: 10_000, total: 25_000 },
      { written: 20_000, total: 25_000 },
      { written: 25_000, total: 25_000 },
    ]);
    stop();
  });
});
