// Unit tests for History's pure logic: filter form, filter matching, amounts, columns, sorting.
import { describe, expect, it } from "vitest";
import {
  COLUMNS,
  DEFAULT_COLUMNS,
  EMPTY_FILTER,
  ariaSort,
  cellText,
  countText,
  emptyForm,
  gridTemplate,
  isEmptyFilter,
  sameFilter,
  isFilterError,
  matchesFilter,
  nextSort,
  parseColumns,
  parseFilter,
  parseLocalDateTime,
  addSuggestion,
  rowWidth,
  sortedColumn,
  toggleColumn,
  type ColumnDef,
  type FilterForm,
} from "./history-model";
import { amountOf, fitAmount } from "./event-text";
import type { StoredEvent } from "./bindings/StoredEvent";

const ALICE = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
const BOB = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const TOKEN = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48";

function event(over: Partial<StoredEvent> = {}): StoredEvent {
  return {
    id: 7,
    network: "mainnet",
    chainId: 1,
    blockNumber: 100,
    blockHash: `0x${"ab".repeat(32)}`,
    blockTime: 1_700_000_000,
    txHash: `0x${"cd".repeat(32)}`,
    logIndex: 3,
    contract: TOKEN,
    event: "Transfer",
    signature: "Transfer(address,address,uint256)",
    listener: "usdc",
    listeners: ["usdc"],
    status: "confirmed",
    args: { from: ALICE, to: BOB, value: "1250500000" },
    argNames: ["from", "to", "value"],
    decimals: 6,
    symbol: "TUSD",
    ...over,
  };
}

function form(over: Partial<FilterForm>): FilterForm {
  return { ...emptyForm(), ...over };
}

function column(id: string): ColumnDef {
  const c = COLUMNS.find((c) => c.id === id);
  if (c == null) throw new Error(id);
  return c;
}

describe("parseFilter", () => {
  it("reads an empty form as no filter at all", () => {
    const parsed = parseFilter(emptyForm());
    expect(parsed).toEqual({ ok: true, filter: EMPTY_FILTER });
    expect(parsed.ok && isEmptyFilter(parsed.filter)).toBe(true);
  });

  it("trims text and reads block numbers with separators", () => {
    const parsed = parseFilter(
      form({ network: " mainnet ", listener: "usdc", event: "Transfer", contract: TOKEN, fromBlock: "1,000", toBlock: "2_000 000", status: "pending" }),
    );
    expect(parsed).toEqual({
      ok: true,
      filter: { ...EMPTY_FILTER, network: "mainnet", listener: "usdc", event: "Transfer", contract: TOKEN, fromBlock: 1000, toBlock: 2_000_000, status: "pending" },
    });
  });

  it("names every field it cannot read", () => {
    const parsed = parseFilter(form({ address: "0x12", fromBlock: "12a", toTime: "yesterday", status: "lost" }));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems).toEqual([
      { field: "address", message: "Address: “0x12” is not an address (0x and 40 hex digits) nor a label in the address book." },
      { field: "fromBlock", message: "From block: “12a” is not a block number." },
      { field: "toTime", message: "To time: “yesterday” is not a date and time (like 2024-03-04 14:30)." },
      { field: "status", message: "Status: “lost” is not pending, confirmed or removed." },
    ]);
  });

  it("refuses ranges that end before they start", () => {
    const parsed = parseFilter(form({ fromBlock: "10", toBlock: "9", fromTime: "2024-03-04T10:00", toTime: "2024-03-04T09:00" }));
    expect(parsed.ok ? [] : parsed.problems.map((p) => p.message)).toEqual([
      "To block is before From block.",
      "To time is before From time.",
    ]);
  });

  it("includes the whole last minute of the time range", () => {
    const parsed = parseFilter(form({ fromTime: "2024-03-04T14:03", toTime: "2024-03-04T14:03" }));
    const start = new Date(2024, 2, 4, 14, 3).getTime() / 1000;
    expect(parsed.ok && [parsed.filter.fromTime, parsed.filter.toTime]).toEqual([start, start + 59]);
  });
});

describe("parseLocalDateTime", () => {
  it("reads datetime-local values as local time", () => {
    expect(parseLocalDateTime("2024-03-04T14:03:22")).toBe(new Date(2024, 2, 4, 14, 3, 22).getTime() / 1000);
    expect(parseLocalDateTime("2024-03-04 14:03")).toBe(new Date(2024, 2, 4, 14, 3).getTime() / 1000);
  });
  it("ends a bare date at its last second", () => {
    const day = new Date(2024, 2, 4).getTime() / 1000;
    expect(parseLocalDateTime("2024-03-04")).toBe(day);
    expect(parseLocalDateTime("2024-03-04", true)).toBe(day + 86_399);
    expect(parseLocalDateTime("2024-03-04T10:00:05", true)).toBe(new Date(2024, 2, 4, 10, 0, 5).getTime() / 1000);
  });
  it("rejects dates that do not exist", () => {
    expect(parseLocalDateTime("2024-02-30T10:00")).toBeNull();
    expect(parseLocalDateTime("2024-03-04T25:00")).toBeNull();
    expect(parseLocalDateTime("4 March")).toBeNull();
  });
});

describe("matchesFilter", () => {
  const e = event();
  it("selects by each field like the store", () => {
    expect(matchesFilter(e, EMPTY_FILTER)).toBe(true);
    expect(matchesFilter(e, { ...EMPTY_FILTER, event: "Transfer(address,address,uint256)" })).toBe(true);
    expect(matchesFilter(e, { ...EMPTY_FILTER, event: "Approval" })).toBe(false);
    expect(matchesFilter(e, { ...EMPTY_FILTER, contract: TOKEN.toUpperCase().replace("0X", "0x") })).toBe(true);
    expect(matchesFilter(e, { ...EMPTY_FILTER, listener: "other" })).toBe(false);
    expect(matchesFilter(e, { ...EMPTY_FILTER, status: "pending" })).toBe(false);
    expect(matchesFilter(e, { ...EMPTY_FILTER, fromBlock: 100, toBlock: 100 })).toBe(true);
    expect(matchesFilter(e, { ...EMPTY_FILTER, fromBlock: 101 })).toBe(false);
    expect(matchesFilter(e, { ...EMPTY_FILTER, toTime: 1_699_999_999 })).toBe(false);
    expect(matchesFilter({ ...e, blockTime: null }, { ...EMPTY_FILTER, fromTime: 0 })).toBe(false);
  });
  it("finds an address in any argument, nested or not, ignoring case", () => {
    expect(matchesFilter(e, { ...EMPTY_FILTER, address: BOB.toLowerCase() })).toBe(true);
    expect(matchesFilter(e, { ...EMPTY_FILTER, address: TOKEN })).toBe(false);
    const nested = event({ args: { batch: [{ who: ALICE.toUpperCase().replace("0X", "0x") }] } });
    expect(matchesFilter(nested, { ...EMPTY_FILTER, address: ALICE })).toBe(true);
  });
});

describe("History's sharper filters", () => {
  const e = event();
  it("matches names in any case and a contract by its symbol", () => {
    expect(matchesFilter(e, { ...EMPTY_FILTER, event: "TRANSFER", listener: "USDC", network: "Mainnet" })).toBe(true);
    expect(matchesFilter(e, { ...EMPTY_FILTER, contract: "tusd" })).toBe(true);
    expect(matchesFilter(e, { ...EMPTY_FILTER, contract: "WETH" })).toBe(false);
  });
  it("looks for the address on one side when a direction is given", () => {
    expect(matchesFilter(e, { ...EMPTY_FILTER, address: ALICE, direction: "from" })).toBe(true);
    expect(matchesFilter(e, { ...EMPTY_FILTER, address: ALICE, direction: "to" })).toBe(false);
    expect(matchesFilter(e, { ...EMPTY_FILTER, address: BOB.toLowerCase(), direction: "to" })).toBe(true);
  });
  it("bounds amounts in token units (1,250.5 TUSD here)", () => {
    expect(matchesFilter(e, { ...EMPTY_FILTER, minAmount: "1000", maxAmount: "1250.5" })).toBe(true);
    expect(matchesFilter(e, { ...EMPTY_FILTER, minAmount: "1250.51" })).toBe(false);
    expect(matchesFilter({ ...e, decimals: null }, { ...EMPTY_FILTER, maxAmount: "5" })).toBe(false);
  });
  it("reads the new fields from the form and says what is wrong", () => {
    const ok = parseFilter(form({ contract: "usdc", address: ALICE, direction: "to", minAmount: "1,000", maxAmount: "2,500.5" }));
    expect(ok).toEqual({
      ok: true,
      filter: { ...EMPTY_FILTER, contract: "usdc", address: ALICE, direction: "to", minAmount: "1000", maxAmount: "2500.5" },
    });
    const bad = parseFilter(form({ direction: "from", minAmount: "lots", maxAmount: "5", contract: "0x12" }));
    expect(bad.ok ? [] : bad.problems.map((p) => p.message)).toEqual([
      "Contract: “0x12” is not an address (0x and 40 hex digits).",
      "Direction: give the address to look for on that side.",
      "Minimum amount: “lots” is not an amount (like 1,000 or 2.5).",
    ]);
    const reversed = parseFilter(form({ minAmount: "10", maxAmount: "9.5" }));
    expect(reversed.ok ? [] : reversed.problems.map((p) => p.message)).toEqual(["Maximum amount is below Minimum amount."]);
  });
  it("suggests a name once whatever its case", () => {
    const known = new Set<string>();
    expect(addSuggestion(known, "Transfer", 5)).toBe(true);
    expect(addSuggestion(known, "transfer", 5)).toBe(false);
    expect(addSuggestion(known, "Approval", 1)).toBe(false);
  });
});

describe("isFilterError", () => {
  it("tells the store's bad filter from other failures", () => {
    expect(isFilterError({ code: "filter.invalid", message: 'invalid filter: address: "0x12" is not an address' })).toBe(true);
    expect(isFilterError({ code: "db.locked", message: "the database is locked" })).toBe(false);
    expect(isFilterError({ code: "unknown", message: "invalid filter: x" })).toBe(false);
  });
});

describe("amounts", () => {
  it("shows the value in token units with the symbol, the raw integer only in the tooltip", () => {
    expect(amountOf(event())).toEqual({ key: "value", raw: "1250500000", units: "1,250.5 TUSD" });
    expect(cellText("amount", event())).toEqual({
      text: "1,250.5 TUSD",
      title: "value = 1250500000 (1,250.5 TUSD, 6 decimals)",
    });
  });
  it("cuts a long fraction to fit the column, never the whole number or the symbol", () => {
    const wei = cellText("amount", event({ args: { value: "4999999123" }, decimals: 18, symbol: "WETH" }));
    expect(wei.text).toBe("0.0000000049999… WETH");
    expect(wei.title).toContain("0.000000004999999123 WETH");
    expect(fitAmount("1,250.5 TUSD")).toBe("1,250.5 TUSD");
    expect(fitAmount("123,456,789,012.345678 X")).toBe("123,456,789,012.3… X");
    expect(fitAmount("123,456,789,012,345,678.9 X")).toBe("123,456,789,012,345,678.9 X");
    expect(fitAmount("123,456,789,012,345,678.98 X")).toBe("123,456,789,012,345,678.9… X");
    expect(fitAmount("1,234,567")).toBe("1,234,567");
  });
  it("groups the raw value when the decimals are not known", () => {
    const e = event({ decimals: null, symbol: null });
    expect(amountOf(e)?.units).toBeNull();
    expect(cellText("amount", e).text).toBe("1,250,500,000");
  });
  it("leaves out the symbol when only the decimals are known", () => {
    expect(amountOf(event({ symbol: null }))?.units).toBe("1,250.5");
  });
  it("finds amount-like names in any case and skips non-integers", () => {
    expect(amountOf(event({ args: { Amount: "5", wad: "6" } }))?.key).toBe("Amount");
    expect(amountOf(event({ args: { value: "-5", wad: "7" } }))?.raw).toBe("7");
    expect(amountOf(event({ args: { tokenId: "5" } }))).toBeNull();
    expect(cellText("amount", event({ args: {} })).text).toBe("");
  });
});

describe("cells", () => {
  it("shows the symbol for known tokens, the status in words and shortened hashes", () => {
    expect(cellText("contract", event()).text).toBe("TUSD 0xa0b8…eb48");
    expect(cellText("contract", event({ symbol: null })).text).toBe("0xa0b8…eb48");
    expect(cellText("status", event({ status: "removed" })).title).toBe("Removed by a chain reorganisation");
    expect(cellText("tx", event()).text).toBe("0xcdcd…cdcd");
    expect(cellText("time", event({ blockTime: null })).text).toBe("—");
    expect(cellText("args", event()).title).toBe(`from: ${ALICE}\nto: ${BOB}\nvalue: 1250500000`);
  });
  it("counts in words", () => {
    expect(countText(1)).toBe("1 event");
    expect(countText(1_234_567)).toBe("1,234,567 events");
  });
});

describe("columns", () => {
  it("reads stored choices in table order and falls back to the defaults", () => {
    expect(parseColumns('["status","time","nope"]')).toEqual(["time", "status"]);
    expect(parseColumns(null)).toEqual(DEFAULT_COLUMNS);
    expect(parseColumns("{oops")).toEqual(DEFAULT_COLUMNS);
    expect(parseColumns("[]")).toEqual(DEFAULT_COLUMNS);
  });
  it("switches columns on and off but keeps the last one", () => {
    expect(toggleColumn(["time", "status"], "tx", true)).toEqual(["time", "status", "tx"]);
    expect(toggleColumn(["time", "status"], "time", false)).toEqual(["status"]);
    expect(toggleColumn(["status"], "status", false)).toEqual(["status"]);
  });
  it("lays the columns out with a flexible arguments column", () => {
    expect(gridTemplate(["time", "args", "status"])).toBe("140px minmax(140px, 1fr) 90px");
    expect(rowWidth(["time", "args", "status"])).toBe(140 + 140 + 90);
  });
  it("fits the default columns in the first window's History pane (1,002 px, less a scroll bar)", () => {
    expect(rowWidth(DEFAULT_COLUMNS)).toBeLessThanOrEqual(1002 - 16);
  });
});

describe("sorting by header", () => {
  it("toggles newest/oldest on the sorted header, largest/smallest on amount; another header starts with its first order", () => {
    expect(nextSort("newest", column("time"), "time")).toBe("oldest");
    expect(nextSort("oldest", column("block"), "block")).toBe("newest");
    expect(nextSort("newest", column("block"), "time")).toBe("newest");
    expect(nextSort("oldest", column("block"), "time")).toBe("newest");
    expect(nextSort("newest", column("amount"), "time")).toBe("amountDesc");
    expect(nextSort("amountDesc", column("amount"), "amount")).toBe("amountAsc");
    expect(nextSort("amountAsc", column("time"), "amount")).toBe("newest");
    expect(nextSort("oldest", column("status"), "time")).toBe("oldest");
  });
  it("shows the order on one header only: the one clicked, else the first shown that sorts so", () => {
    const shown = DEFAULT_COLUMNS;
    expect(sortedColumn("newest", shown)).toBe("time");
    expect(sortedColumn("oldest", shown, "block")).toBe("block");
    expect(sortedColumn("newest", shown, "amount")).toBe("time");
    expect(sortedColumn("amountAsc", shown, "time")).toBe("amount");
    expect(sortedColumn("newest", ["block", "status"], "time")).toBe("block");
    expect(sortedColumn("amountDesc", ["time", "status"])).toBeNull();
  });
  it("says how each header sorts", () => {
    expect(ariaSort("newest", column("time"), "time")).toBe("descending");
    expect(ariaSort("newest", column("block"), "time")).toBe("none");
    expect(ariaSort("oldest", column("block"), "block")).toBe("ascending");
    expect(ariaSort("newest", column("amount"), "time")).toBe("none");
    expect(ariaSort("amountAsc", column("amount"), "amount")).toBe("ascending");
    expect(ariaSort("newest", column("event"), "time")).toBeNull();
  });
});

describe("sameFilter", () => {
  it("tells filters that select the same rows from those that do not", () => {
    expect(sameFilter(EMPTY_FILTER, { ...EMPTY_FILTER })).toBe(true);
    expect(sameFilter({ ...EMPTY_FILTER, listener: "usdc" }, { ...EMPTY_FILTER, listener: "usdc" })).toBe(true);
    expect(sameFilter({ ...EMPTY_FILTER, listener: "usdc" }, EMPTY_FILTER)).toBe(false);
    expect(sameFilter({ ...EMPTY_FILTER, fromBlock: 10 }, { ...EMPTY_FILTER, fromBlock: 11 })).toBe(false);
  });
});
