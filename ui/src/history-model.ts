// History without the DOM: filter form <-> EventFilter, filter matching, columns, cells, sorting.
import {
  formatArgs,
  formatCount,
  formatFullLocalTime,
  formatLocalTime,
  groupThousands,
  isAddress,
  shortenAddress,
} from "./format";
import { resolveAddress } from "./labels";
import type { Direction } from "./bindings/Direction";
import type { EventFilter } from "./bindings/EventFilter";
import { compareUnits, parseUnits } from "./history-match";
import type { EventStatus } from "./bindings/EventStatus";
import type { HistorySort } from "./bindings/HistorySort";
import type { StoredEvent } from "./bindings/StoredEvent";
import { amountOf, contractText, fitAmount } from "./event-text";
import type { AppError } from "./ipc";
import { listenerNames } from "./feed-model";

// ---------------------------------------------------------------------------------------------
// Filter form

/** The filter inputs, by their `name` attribute. */
export const FILTER_FIELDS = [
  "network",
  "listener",
  "contract",
  "event",
  "address",
  "direction",
  "minAmount",
  "maxAmount",
  "fromBlock",
  "toBlock",
  "fromTime",
  "toTime",
  "status",
] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];

/** What the filter inputs hold, as typed (times as "2024-03-04 14:30", a date alone, or with a T). */
export type FilterForm = Record<FilterField, string>;

/** What a problem with the form is about and what to say. */
export interface FilterProblem {
  field: FilterField;
  message: string;
}

export type ParsedFilter = { ok: true; filter: EventFilter } | { ok: false; problems: FilterProblem[] };

export const FIELD_LABELS: Record<FilterField, string> = {
  network: "Network",
  listener: "Listener",
  contract: "Contract",
  event: "Event",
  address: "Address",
  direction: "Direction",
  minAmount: "Minimum amount",
  maxAmount: "Maximum amount",
  fromBlock: "From block",
  toBlock: "To block",
  fromTime: "From time",
  toTime: "To time",
  status: "Status",
};

export const EMPTY_FILTER: EventFilter = {
  listener: null,
  network: null,
  event: null,
  contract: null,
  address: null,
  direction: null,
  minAmount: null,
  maxAmount: null,
  status: null,
  fromBlock: null,
  toBlock: null,
  fromTime: null,
  toTime: null,
  limit: null,
};

export function emptyForm(): FilterForm {
  return Object.fromEntries(FILTER_FIELDS.map((f) => [f, ""])) as FilterForm;
}

const STATUSES: readonly EventStatus[] = ["pending", "confirmed", "removed"];

/** A block number as typed: digits, optionally grouped with commas, spaces or underscores. */
function parseBlock(text: string): number | null {
  const digits = text.replace(/[\s,_]/g, "");
  if (!/^\d+$/.test(digits)) return null;
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : null;
}

const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * A local date and time as typed ("2024-03-04 14:03" or "2024-03-04T14:03", seconds and the
 * time optional) to Unix seconds. `end` selects the last second of what was typed: "14:03" ends
 * at 14:03:59 and a bare date at 23:59:59, so bounds include the whole minute or day.
 */
export function parseLocalDateTime(text: string, end = false): number | null {
  const m = DATETIME_RE.exec(text.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hh, mm, ss] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const date = new Date(y, mo - 1, d, hh, mm, ss);
  const valid =
    date.getFullYear() === y &&
    date.getMonth() === mo - 1 &&
    date.getDate() === d &&
    date.getHours() === hh &&
    date.getMinutes() === mm &&
    date.getSeconds() === ss;
  if (!valid) return null;
  const seconds = Math.floor(date.getTime() / 1000);
  if (!end) return seconds;
  if (m[4] == null) return seconds + 86_399;
  return m[6] == null ? seconds + 59 : seconds;
}

function quoted(text: string): string {
  return `“${text}”`;
}

/** Reads the form into a filter, or says what is wrong with each field that cannot be read. */
export function parseFilter(form: FilterForm): ParsedFilter {
  const problems: FilterProblem[] = [];
  const text = (field: FilterField): string | null => {
    const v = form[field].trim();
    return v === "" ? null : v;
  };
  const address = (field: "contract" | "address"): string | null => {
    const v = text(field);
    // The contract filter also takes a token symbol (the store looks it up).
    if (v != null && field === "contract" && !v.startsWith("0x")) return v;
    if (v != null && !isAddress(v)) {
      // The address filter also takes a label from the address book.
      const resolved = field === "address" ? resolveAddress(v, text("network")) : null;
      if (resolved?.ok) return resolved.address;
      const why = resolved?.ok === false ? resolved.message : `${quoted(v)} is not an address (0x and 40 hex digits).`;
      problems.push({ field, message: `${FIELD_LABELS[field]}: ${why}` });
    }
    return v;
  };
  const block = (field: "fromBlock" | "toBlock"): number | null => {
    const v = text(field);
    if (v == null) return null;
    const n = parseBlock(v);
    if (n == null) problems.push({ field, message: `${FIELD_LABELS[field]}: ${quoted(v)} is not a block number.` });
    return n;
  };
  const time = (field: "fromTime" | "toTime"): number | null => {
    const v = text(field);
    if (v == null) return null;
    const n = parseLocalDateTime(v, field === "toTime");
    if (n == null) {
      problems.push({ field, message: `${FIELD_LABELS[field]}: ${quoted(v)} is not a date and time (like 2024-03-04 14:30).` });
    }
    return n;
  };

  const amount = (field: "minAmount" | "maxAmount"): string | null => {
    const v = text(field);
    if (v == null) return null;
    const n = parseUnits(v);
    if (n == null) problems.push({ field, message: `${FIELD_LABELS[field]}: ${quoted(v)} is not an amount (like 1,000 or 2.5).` });
    return n;
  };
  const direction = text("direction");
  if (direction != null && direction !== "from" && direction !== "to") {
    problems.push({ field: "direction", message: `Direction: ${quoted(direction)} is not from or to.` });
  } else if (direction != null && text("address") == null) {
    problems.push({ field: "direction", message: "Direction: give the address to look for on that side." });
  }
  const status = text("status");
  if (status != null && !STATUSES.includes(status as EventStatus)) {
    problems.push({ field: "status", message: `Status: ${quoted(status)} is not pending, confirmed or removed.` });
  }
  const filter: EventFilter = {
    listener: text("listener"),
    network: text("network"),
    event: text("event"),
    contract: address("contract"),
    address: address("address"),
    direction: direction as Direction | null,
    minAmount: amount("minAmount"),
    maxAmount: amount("maxAmount"),
    status: status as EventStatus | null,
    fromBlock: block("fromBlock"),
    toBlock: block("toBlock"),
    fromTime: time("fromTime"),
    toTime: time("toTime"),
    limit: null,
  };
  if (filter.fromBlock != null && filter.toBlock != null && filter.fromBlock > filter.toBlock) {
    problems.push({ field: "toBlock", message: "To block is before From block." });
  }
  if (filter.minAmount != null && filter.maxAmount != null && compareUnits(filter.minAmount, filter.maxAmount) > 0) {
    problems.push({ field: "maxAmount", message: "Maximum amount is below Minimum amount." });
  }
  if (filter.fromTime != null && filter.toTime != null && filter.fromTime > filter.toTime) {
    problems.push({ field: "toTime", message: "To time is before From time." });
  }
  if (problems.length === 0) return { ok: true, filter };
  problems.sort((a, b) => FILTER_FIELDS.indexOf(a.field) - FILTER_FIELDS.indexOf(b.field));
  return { ok: false, problems };
}

/**
 * Adds `value` to the suggestions `known` (lower-case keys) unless one differing only in case is
 * there or the list is full; true when it was added. Browsers offer them as typed, in any case.
 */
export function addSuggestion(known: Set<string>, value: string, max: number): boolean {
  const key = value.toLowerCase();
  if (known.has(key) || known.size >= max) return false;
  known.add(key);
  return true;
}

/** True when the filter selects everything. */
export function isEmptyFilter(f: EventFilter): boolean {
  return Object.values(f).every((v) => v == null);
}

/** True when two filters select the same rows. */
export function sameFilter(a: EventFilter, b: EventFilter): boolean {
  const fields = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof EventFilter>;
  return [...fields].every((k) => (a[k] ?? null) === (b[k] ?? null));
}

export { matchesFilter } from "./history-match";

/** The store's message for a bad filter ("invalid filter: …"), as distinct from other failures. */
export function isFilterError(error: AppError): boolean {
  return error.code === "filter.invalid";
}

// ---------------------------------------------------------------------------------------------
// Columns

export type ColumnId = "time" | "block" | "network" | "listener" | "contract" | "event" | "args" | "amount" | "status" | "tx";

export interface ColumnDef {
  id: ColumnId;
  label: string;
  /** Width in px; the arguments column takes what is left (at least this). */
  width: number;
  /** The orders clicking the header switches between (first one on the first click). */
  sorts?: readonly [HistorySort, HistorySort];
}

export const COLUMNS: readonly ColumnDef[] = [
  { id: "time", label: "Time", width: 140, sorts: ["newest", "oldest"] },
  { id: "block", label: "Block", width: 84, sorts: ["newest", "oldest"] },
  { id: "network", label: "Network", width: 90 },
  { id: "listener", label: "Listener", width: 122 },
  { id: "contract", label: "Contract", width: 128 },
  { id: "event", label: "Event", width: 104 },
  { id: "args", label: "Arguments", width: 140 },
  { id: "amount", label: "Amount", width: 172, sorts: ["amountDesc", "amountAsc"] },
  { id: "status", label: "Status", width: 90 },
  { id: "tx", label: "Transaction", width: 112 },
];

export const DEFAULT_COLUMNS: readonly ColumnId[] = ["time", "block", "listener", "contract", "event", "args", "amount", "status"];

/** Column preferences as stored (a JSON list of ids), in table order; the defaults if unreadable. */
export function parseColumns(stored: string | null): ColumnId[] {
  let ids: unknown = null;
  try {
    ids = stored == null ? null : JSON.parse(stored);
  } catch {
    ids = null;
  }
  if (!Array.isArray(ids)) return [...DEFAULT_COLUMNS];
  const picked = COLUMNS.map((c) => c.id).filter((id) => ids.includes(id));
  return picked.length > 0 ? picked : [...DEFAULT_COLUMNS];
}

/** The shown columns after switching one on or off (the last one stays), in table order. */
export function toggleColumn(shown: readonly ColumnId[], id: ColumnId, on: boolean): ColumnId[] {
  const next = COLUMNS.map((c) => c.id).filter((c) => (c === id ? on : shown.includes(c)));
  return next.length > 0 ? next : [...shown];
}

/** CSS grid columns for the shown columns: fixed widths, arguments flexible. */
export function gridTemplate(shown: readonly ColumnId[]): string {
  return columnDefs(shown)
    .map((c) => (c.id === "args" ? `minmax(${c.width}px, 1fr)` : `${c.width}px`))
    .join(" ");
}

/** The least width the shown columns need, in px. */
export function rowWidth(shown: readonly ColumnId[]): number {
  return columnDefs(shown).reduce((sum, c) => sum + c.width, 0);
}

export function columnDefs(shown: readonly ColumnId[]): ColumnDef[] {
  return COLUMNS.filter((c) => shown.includes(c.id));
}

/**
 * The order after clicking a header: its other order if the rows are sorted by it (`sortedBy`),
 * else its first.
 */
export function nextSort(current: HistorySort, column: ColumnDef, sortedBy: ColumnId | null): HistorySort {
  const sorts = column.sorts;
  if (sorts == null) return current;
  if (column.id === sortedBy && current === sorts[0]) return sorts[1];
  return sorts[0];
}

/**
 * The header that shows the order (Time and Block order alike): the one clicked last when it
 * is shown and orders that way, else the first shown that does; null when none is shown.
 */
export function sortedColumn(current: HistorySort, shown: readonly ColumnId[], clicked: ColumnId | null = null): ColumnId | null {
  const orders = columnDefs(shown).filter((c) => c.sorts?.includes(current) === true);
  return (orders.find((c) => c.id === clicked) ?? orders[0])?.id ?? null;
}

/**
 * `aria-sort` of a header: ascending or descending on the header the rows are sorted by
 * (`sortedBy`), none on the other sortable ones, null for headers that do not sort.
 */
export function ariaSort(current: HistorySort, column: ColumnDef, sortedBy: ColumnId | null): "ascending" | "descending" | "none" | null {
  if (column.sorts == null) return null;
  if (column.id !== sortedBy || !column.sorts.includes(current)) return "none";
  return current === "oldest" || current === "amountAsc" ? "ascending" : "descending";
}

export interface CellText {
  text: string;
  title: string;
}

/** What a cell shows and its tooltip. */
export function cellText(column: ColumnId, e: StoredEvent, nowMs: number = Date.now()): CellText {
  switch (column) {
    case "time":
      return e.blockTime == null
        ? { text: "—", title: "Block time not known yet" }
        : { text: formatLocalTime(e.blockTime, nowMs), title: formatFullLocalTime(e.blockTime) };
    case "block":
      return { text: String(e.blockNumber), title: `Block ${e.blockNumber} · log ${e.logIndex}\n${e.blockHash}` };
    case "network":
      return { text: e.network, title: `${e.network} (chain ${String(e.chainId)})` };
    case "listener":
      return { text: listenerNames(e), title: `${listenerNames(e)} on ${e.network}` };
    case "contract":
      return contractText(e);
    case "event":
      return { text: e.event, title: e.signature };
    case "args":
      return { text: formatArgs(e.args, e.argNames, e.network), title: formatArgsFull(e) };
    case "amount": {
      const a = amountOf(e);
      if (a == null) return { text: "", title: "No amount argument" };
      if (a.units == null) {
        return { text: groupThousands(a.raw), title: `${a.key} = ${a.raw} (the token's decimals are not known)` };
      }
      return { text: fitAmount(a.units), title: `${a.key} = ${a.raw} (${a.units}, ${String(e.decimals)} decimals)` };
    }
    case "status":
      return { text: e.status, title: STATUS_TIPS[e.status] };
    case "tx":
      return { text: shortenAddress(e.txHash), title: e.txHash };
  }
}

const STATUS_TIPS: Record<EventStatus, string> = {
  pending: "Not yet final: a reorganisation could still remove it",
  confirmed: "Final: deep enough in the chain",
  removed: "Removed by a chain reorganisation",
};

/** Every argument on its own line, full values, for the tooltip. */
function formatArgsFull(e: StoredEvent): string {
  const keys = e.argNames.length > 0 ? e.argNames : Object.keys(e.args);
  return keys.map((k) => `${k}: ${typeof e.args[k] === "string" ? String(e.args[k]) : JSON.stringify(e.args[k])}`).join("\n");
}

/** "1 event", "1,234,567 events". */
export function countText(n: number): string {
  return `${formatCount(n)} ${n === 1 ? "event" : "events"}`;
}
