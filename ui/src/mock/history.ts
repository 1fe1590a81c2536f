// Browser mock of history, dashboard and export: live events over a large deterministic synthetic history.
import { amountOf } from "../event-text";
import { matchesFilter } from "../history-model";
import { isAddress } from "../format";
import type { Backend, AppError, Unlisten } from "../ipc";
import type { Dashboard } from "../bindings/Dashboard";
import type { EventFilter } from "../bindings/EventFilter";
import type { EventStatus } from "../bindings/EventStatus";
import type { ExportProgress } from "../bindings/ExportProgress";
import type { HistorySort } from "../bindings/HistorySort";
import type { StoredEvent } from "../bindings/StoredEvent";
import type { TopEntry } from "../bindings/TopEntry";

export type HistoryMock = Pick<
  Backend,
  "historyPage" | "historyIndex" | "dashboard" | "exportCsv" | "onExportProgress"
> & {
  /** The order of the last export and the id of the row it wrote first. */
  lastExport(): { sort: HistorySort; firstId: number | null } | null;
};

export interface HistoryMockOptions {
  /** Rows of synthetic history (default 250,000). */
  synthetic?: number;
  /** Block time of the newest synthetic row, Unix seconds (default: half an hour ago). */
  anchor?: number;
  /** Milliseconds between two export progress steps (default 30). */
  exportStepMs?: number;
}

/** The synthetic history spans this many seconds before the anchor. */
const SPAN_SECS = 30 * 86_400;
const HOLDER_COUNT = 400;
const ADDRESS_SAMPLE = 5_000;
const TOP = 8;
const EXPORT_STEP = 10_000;
const MAX_PAGE = 1_000;

interface Source {
  listener: string;
  network: string;
  chainId: number;
  contract: string;
  event: string;
  signature: string;
  argNames: [string, string, string];
  decimals: number;
  symbol: string;
  /** Head at the anchor and seconds per block. */
  head: number;
  blockSecs: number;
  /** Largest whole amount is about 10^this. */
  magnitude: number;
}

/** The mock's listeners (as in ../mock.ts), with a share of the synthetic rows each. */
const SOURCES: readonly Source[] = [
  {
    listener: "usdc-transfers", network: "mainnet", chainId: 1,
    contract: "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48", event: "Transfer",
    signature: "Transfer(address,address,uint256)", argNames: ["from", "to", "value"],
    decimals: 6, symbol: "USDC", head: 21_449_800, blockSecs: 12, magnitude: 5.5,
  },
  {
    listener: "weth-approvals", network: "mainnet", chainId: 1,
    contract: "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2", event: "Approval",
    signature: "Approval(address,address,uint256)", argNames: ["owner", "spender", "value"],
    decimals: 18, symbol: "WETH", head: 21_449_800, blockSecs: 12, magnitude: 3,
  },
  {
    listener: "base-usdc", network: "base", chainId: 8453,
    contract: "0x833589fcd6edb6e08f4c7c32d4f71b54bda02913", event: "Transfer",
    signature: "Transfer(address,address,uint256)", argNames: ["from", "to", "value"],
    decimals: 6, symbol: "USDC", head: 23_875_900, blockSecs: 2, magnitude: 4.5,
  },
];
/** Source of a row by `rand % 10`: half USDC on mainnet, a fifth WETH, the rest USDC on base. */
const SOURCE_BY_TENTH = [0, 0, 0, 0, 0, 1, 1, 2, 2, 2];

/** lowbias32: a well-mixed 32-bit hash. */
function mix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** A deterministic 32-bit number per (row, purpose). */
function rand(i: number, salt: number): number {
  return mix(Math.imul(i, 0x9e3779b1) ^ mix(salt + 0x5bd1e995));
}

function unit(i: number, salt: number): number {
  return rand(i, salt) / 4_294_967_296;
}

function hex(i: number, salt: number, bytes: number): string {
  let s = "0x";
  for (let k = 0; k < bytes / 4; k++) s += rand(i, salt + k).toString(16).padStart(8, "0");
  return s;
}

const HOLDERS = Array.from({ length: HOLDER_COUNT }, (_, k) => hex(k, 1_000, 20));
const HOLDER_INDEX = new Map(HOLDERS.map((a, k) => [a, k]));

/** A few holders are far busier than the rest. */
function holder(i: number, salt: number): number {
  return Math.floor(HOLDER_COUNT * unit(i, salt) ** 3);
}

/** What filtering and sorting need of synthetic row `i`, without building the event. */
interface Facts {
  source: number;
  time: number;
  block: number;
  status: EventStatus;
  a: number;
  b: number;
  whole: number;
  /** Four decimal places of the amount. */
  frac: number;
}

function invalid(field: string, value: string): AppError {
  return { code: "filter.invalid", message: `invalid filter: ${field}: "${value}" is not an address (0x and 40 hex digits)` };
}

/** The store's check of a filter's addresses; a contract given by symbol becomes its one address. */
function checkFilter(f: EventFilter): AppError | EventFilter {
  if (f.address != null && !isAddress(f.address.trim())) return invalid("address", f.address);
  const c = f.contract?.trim();
  if (c == null || isAddress(c)) return f;
  if (c.startsWith("0x")) return invalid("contract", c);
  const lower = (v: string): string => v.toLowerCase();
  const found = [
    ...new Set(
      SOURCES.filter((s) => lower(s.symbol) === lower(c) && (f.network == null || lower(f.network) === s.network)).map(
        (s) => s.contract,
      ),
    ),
  ];
  if (found.length === 1) return { ...f, contract: found[0] };
  const message =
    found.length === 0
      ? `invalid filter: contract: "${c}" is not an address (0x and 40 hex digits), a token's symbol or name, nor a label in the address book`
      : `invalid filter: contract: the symbol "${c}" names ${String(found.length)} contracts (${found.join(", ")}); type the one you mean`;
  return { code: "filter.invalid", message };
}

/** Sort keys: amount (events without one last) and then id. */
function compareRows(sort: HistorySort, x: { amount: number | null; id: number }, y: { amount: number | null; id: number }): number {
  if (sort === "newest") return y.id - x.id;
  if (sort === "oldest") return x.id - y.id;
  if (x.amount !== y.amount) {
    if (x.amount == null) return 1;
    if (y.amount == null) return -1;
    return sort === "amountDesc" ? y.amount - x.amount : x.amount - y.amount;
  }
  return sort === "amountDesc" ? y.id - x.id : x.id - y.id;
}

function liveAmount(e: StoredEvent): number | null {
  const a = amountOf(e);
  return a == null ? null : Number(a.raw);
}

export function createHistoryMock(events: () => StoredEvent[], options: HistoryMockOptions = {}): HistoryMock {
  const total = options.synthetic ?? 250_000;
  const anchor = options.anchor ?? Math.floor(Date.now() / 1000) - 1_830;
  const stepMs = options.exportStepMs ?? 30;
  const progressHandlers = new Set<(p: ExportProgress) => void>();

  /** Row times are monotonic in the index with a daily rhythm (busier and quieter hours). */
  function timeOf(i: number): number {
    const u = (i + 1) / total;
    const days = SPAN_SECS / 86_400;
    const warped = u + (0.6 * Math.sin(2 * Math.PI * days * u)) / (2 * Math.PI * days);
    return anchor - Math.round(SPAN_SECS * (1 - warped));
  }

  function facts(i: number): Facts {
    const source = SOURCE_BY_TENTH[rand(i, 1) % 10];
    const s = SOURCES[source];
    const time = timeOf(i);
    return {
      source,
      time,
      block: s.head - Math.floor((anchor - time) / s.blockSecs),
      status: rand(i, 2) % 500 === 0 ? "removed" : "confirmed",
      a: holder(i, 3),
      b: holder(i, 4),
      whole: Math.floor(10 ** (unit(i, 5) * s.magnitude)),
      frac: rand(i, 6) % 10_000,
    };
  }

  function amountKey(f: Facts): number {
    return (f.whole + f.frac / 10_000) * 10 ** SOURCES[f.source].decimals;
  }

  function event(i: number): StoredEvent {
    const f = facts(i);
    const s = SOURCES[f.source];
    const scale = 10n ** BigInt(s.decimals - 4);
    const value = ((BigInt(f.whole) * 10_000n + BigInt(f.frac)) * scale).toString();
    const [x, y, v] = s.argNames;
    return {
      id: i - total,
      network: s.network,
      chainId: s.chainId,
      blockNumber: f.block,
      blockHash: hex(f.block, 2_000, 32),
      blockTime: f.time,
      txHash: hex(i, 3_000, 32),
      logIndex: rand(i, 7) % 300,
      contract: s.contract,
      event: s.event,
      signature: s.signature,
      listener: s.listener,
      listeners: [s.listener],
      status: f.status,
      args: { [x]: HOLDERS[f.a], [y]: HOLDERS[f.b], [v]: value },
      argNames: [...s.argNames],
      decimals: s.decimals,
      symbol: s.symbol,
    };
  }

  /** Synthetic rows a filter selects, oldest first, with their orders by amount; the latest kept. */
  let selection: { key: string; rows: Int32Array; byAmount: Map<HistorySort, Int32Array> } | null = null;
  function selectSynthetic(filter: EventFilter): NonNullable<typeof selection> {
    const key = JSON.stringify(filter);
    if (selection?.key === key) return selection;
    const same = (a: string | null, b: string): boolean => a == null || a.toLowerCase() === b.toLowerCase();
    const sourceOk = SOURCES.map(
      (s) =>
        same(filter.listener, s.listener) &&
        same(filter.network, s.network) &&
        (same(filter.event, s.event) || same(filter.event, s.signature)) &&
        same(filter.contract, s.contract),
    );
    const who = filter.address == null ? null : (HOLDER_INDEX.get(filter.address.toLowerCase()) ?? -1);
    const side = (f: Facts): boolean =>
      who == null ||
      (filter.direction !== "to" && f.a === who) ||
      (filter.direction !== "from" && f.b === who);
    const [min, max] = [filter.minAmount, filter.maxAmount].map((v) => (v == null ? null : Number(v)));
    const units = (f: Facts): number => f.whole + f.frac / 10_000;
    const picked: number[] = [];
    for (let i = 0; i < total; i++) {
      const f = facts(i);
      if (
        sourceOk[f.source] &&
        side(f) &&
        (min == null || units(f) >= min) &&
        (max == null || units(f) <= max) &&
        (filter.status == null || filter.status === f.status) &&
        (filter.fromBlock == null || f.block >= filter.fromBlock) &&
        (filter.toBlock == null || f.block <= filter.toBlock) &&
        (filter.fromTime == null || f.time >= filter.fromTime) &&
        (filter.toTime == null || f.time <= filter.toTime)
      ) {
        picked.push(i);
      }
    }
    selection = { key, rows: Int32Array.from(picked), byAmount: new Map() };
    return selection;
  }

  /** The selected synthetic rows in an amount order (computed once per filter and order). */
  function byAmount(filter: EventFilter, sort: HistorySort): Int32Array {
    const sel = selectSynthetic(filter);
    const known = sel.byAmount.get(sort);
    if (known != null) return known;
    const keys = new Float64Array(total);
    for (const i of sel.rows) keys[i] = amountKey(facts(i));
    const rows = Int32Array.from(sel.rows).sort((x, y) =>
      compareRows(sort, { amount: keys[x], id: x }, { amount: keys[y], id: y }),
    );
    sel.byAmount.set(sort, rows);
    return rows;
  }

  /** Live rows a filter selects, in `sort` order, with their amounts (copies, as IPC gives). */
  function selectLive(filter: EventFilter, sort: HistorySort): { e: StoredEvent; amount: number | null; id: number }[] {
    return events()
      .filter((e) => matchesFilter(e, filter))
      .map((e) => ({ e: structuredClone(e), amount: liveAmount(e), id: e.id }))
      .sort((x, y) => compareRows(sort, x, y));
  }

  /** Rows offset..offset+limit of live and synthetic rows merged in `sort` order. */
  function page(filter: EventFilter, sort: HistorySort, offset: number, limit: number): StoredEvent[] {
    const live = selectLive(filter, sort);
    const end = offset + Math.min(limit, MAX_PAGE);
    const out: StoredEvent[] = [];
    if (sort === "newest" || sort === "oldest") {
      // Live rows are all newer than synthetic ones.
      const synth = selectSynthetic(filter).rows;
      const n = synth.length;
      const at = (k: number): StoredEvent => {
        if (sort === "newest") return k < live.length ? live[k].e : event(synth[n - 1 - (k - live.length)]);
        return k < n ? event(synth[k]) : live[k - n].e;
      };
      for (let k = offset; k < Math.min(end, n + live.length); k++) out.push(at(k));
      return out;
    }
    const synth = byAmount(filter, sort);
    let l = 0;
    let s = 0;
    for (let k = 0; k < end && (l < live.length || s < synth.length); k++) {
      const takeLive =
        s >= synth.length ||
        (l < live.length &&
          compareRows(sort, live[l], { amount: amountKey(facts(synth[s])), id: synth[s] - total }) <= 0);
      if (k >= offset) out.push(takeLive ? live[l].e : event(synth[s]));
      if (takeLive) l++;
      else s++;
    }
    return out;
  }

  function count(filter: EventFilter): number {
    return events().filter((e) => matchesFilter(e, filter)).length + selectSynthetic(filter).rows.length;
  }

  /** The first synthetic row at or after `time` (rows are in time order). */
  function firstSyntheticAt(time: number): number {
    let lo = 0;
    let hi = total;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (timeOf(mid) < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  function dashboard(windowSecs: number, bucketSecs: number): Dashboard {
    const bucket = Math.max(1, bucketSecs);
    const live = events();
    const newestLive = [...live].reverse().find((e) => e.blockTime != null)?.blockTime ?? null;
    const until = newestLive ?? (total > 0 ? timeOf(total - 1) : null);
    if (until == null) return { until: null, bucketSecs: bucket, series: [], topContracts: [], topAddresses: [], addressSample: 0 };
    const since = until - windowSecs;
    const series = new Map<string, Map<number, number>>();
    const contracts = new Map<string, TopEntry>();
    const add = (listener: string, network: string, contract: string, symbol: string | null, time: number): void => {
      const start = Math.floor(time / bucket) * bucket;
      const points = series.get(listener) ?? new Map<number, number>();
      points.set(start, (points.get(start) ?? 0) + 1);
      series.set(listener, points);
      const key = `${network}/${contract}`;
      const entry = contracts.get(key) ?? { network, address: contract, symbol, count: 0 };
      entry.count++;
      contracts.set(key, entry);
    };
    for (let i = firstSyntheticAt(since); i < total; i++) {
      const f = facts(i);
      const s = SOURCES[f.source];
      add(s.listener, s.network, s.contract, s.symbol, f.time);
    }
    for (const e of live) if (e.blockTime != null && e.blockTime >= since) add(e.listener, e.network, e.contract, e.symbol, e.blockTime);

    const addresses = new Map<string, TopEntry>();
    const mention = (network: string, address: string): void => {
      const key = `${network}/${address}`;
      const entry = addresses.get(key) ?? { network, address, symbol: null, count: 0 };
      entry.count++;
      addresses.set(key, entry);
    };
    const latestLive = live.slice(-ADDRESS_SAMPLE);
    for (const e of latestLive) {
      for (const v of Object.values(e.args)) if (typeof v === "string" && isAddress(v)) mention(e.network, v.toLowerCase());
    }
    for (let i = total - 1; i >= Math.max(0, total - (ADDRESS_SAMPLE - latestLive.length)); i--) {
      const f = facts(i);
      mention(SOURCES[f.source].network, HOLDERS[f.a]);
      mention(SOURCES[f.source].network, HOLDERS[f.b]);
    }
    const top = (m: Map<string, TopEntry>) => [...m.values()].sort((x, y) => y.count - x.count).slice(0, TOP);
    return {
      until,
      bucketSecs: bucket,
      series: [...series.entries()]
        .sort(([x], [y]) => x.localeCompare(y))
        .map(([listener, points]) => ({ listener, points: [...points.entries()].sort(([x], [y]) => x - y) })),
      topContracts: top(contracts),
      topAddresses: top(addresses),
      addressSample: ADDRESS_SAMPLE,
    };
  }

  let lastExport: { sort: HistorySort; firstId: number | null } | null = null;
  const emit = (p: ExportProgress): void => progressHandlers.forEach((h) => h(p));
  const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  async function exportCsv(filter: EventFilter, sort: HistorySort): Promise<{ path: string; rows: number }> {
    const rows = count(filter);
    // What a spec checks the file would hold first: the export's order is History's.
    const [first] = page(filter, sort, 0, 1);
    lastExport = { sort, firstId: first?.id ?? null };
    // Browser specs read it from the page.
    (globalThis as { __tokenwatchMockExport?: unknown }).__tokenwatchMockExport = lastExport;
    emit({ written: 0, total: rows });
    for (let written = EXPORT_STEP; written < rows; written += EXPORT_STEP) {
      await wait(stepMs);
      emit({ written, total: rows });
    }
    await wait(stepMs);
    emit({ written: rows, total: rows });
    return { path: "/home/you/tokenwatch-history.csv", rows };
  }

  /** Runs `f` like a command on the checked filter: a bad filter rejects as the store does. */
  const command = <T>(filter: EventFilter, f: (checked: EventFilter) => T | Promise<T>): Promise<T> => {
    const checked = checkFilter(filter);
    return "code" in checked ? Promise.reject(checked) : Promise.resolve().then(() => f(checked));
  };

  return {
    historyPage: (filter, sort, offset, limit) => command(filter, (f) => page(f, sort, offset, limit)),
    // No anchors: the mock pages by offset.
    historyIndex: (filter, _sort, every) => command(filter, (f) => ({ count: count(f), every, anchors: [] })),
    dashboard: (windowSecs, bucketSecs) => Promise.resolve().then(() => dashboard(windowSecs, bucketSecs)),
    exportCsv: (filter, sort) => command(filter, (f) => exportCsv(f, sort)),
    lastExport: () => lastExport,
    onExportProgress: (handler): Promise<Unlisten> => {
      progressHandlers.add(handler);
      return Promise.resolve(() => progressHandlers.delete(handler));
    },
  };
}
