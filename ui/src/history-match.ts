// Whether an event passes History's filter, by the store's rules (for events pushed live), and
// amount bounds in token units: read as typed, compared, scaled by a token's decimals.
import type { Direction } from "./bindings/Direction";
import type { EventFilter } from "./bindings/EventFilter";
import type { StoredEvent } from "./bindings/StoredEvent";
import { amountOf } from "./event-text";

/** "1,000" or " 2.5 " without grouping ("1000", "2.5"), or null when it is not a plain amount. */
export function parseUnits(text: string): string | null {
  const plain = text.trim().replace(/[,_ ]/g, "");
  return /^(\d+(\.\d*)?|\.\d+)$/.test(plain) ? plain : null;
}

/** `units` as an integer count of 10^-decimals (rounded up for a minimum, down for a maximum). */
export function scaledUnits(units: string, decimals: number, roundUp: boolean): bigint {
  const [int, frac = ""] = units.split(".");
  const kept = frac.slice(0, decimals).padEnd(decimals, "0");
  const cut = /[1-9]/.test(frac.slice(decimals));
  const n = BigInt(`${int || "0"}${kept}` || "0");
  return roundUp && cut ? n + 1n : n;
}

/** -1, 0 or 1 as `a` is below, at or above `b` (both from parseUnits). */
export function compareUnits(a: string, b: string): number {
  const places = Math.max(a.split(".")[1]?.length ?? 0, b.split(".")[1]?.length ?? 0);
  const x = scaledUnits(a, places, false);
  const y = scaledUnits(b, places, false);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Whether `e`'s amount is within the bounds (token units). With a bound set, an event without
 * an amount or of a token whose decimals are unknown is left out, as the store does.
 */
export function inAmountRange(e: StoredEvent, min: string | null, max: string | null): boolean {
  if (min == null && max == null) return true;
  const a = amountOf(e);
  if (a == null || e.decimals == null) return false;
  const raw = BigInt(a.raw);
  return (
    (min == null || raw >= scaledUnits(min, e.decimals, true)) &&
    (max == null || raw <= scaledUnits(max, e.decimals, false))
  );
}

/** True when any argument value (nested ones included) is `address`, ignoring case. */
function mentions(value: unknown, address: string): boolean {
  if (typeof value === "string") return value.toLowerCase() === address;
  if (Array.isArray(value)) return value.some((v) => mentions(v, address));
  if (value != null && typeof value === "object") return Object.values(value).some((v) => mentions(v, address));
  return false;
}

/**
 * Whether `e` has `address` where the filter looks: any argument, or with a direction the first
 * (from) or second (to) argument. The store reads the first or second indexed argument; the
 * window knows the names in order only, which for Transfer and Approval are the same ones.
 */
function hasAddress(e: StoredEvent, address: string, direction: Direction | null): boolean {
  if (direction == null) return mentions(e.args, address);
  const name = e.argNames[direction === "from" ? 0 : 1];
  return name != null && mentions(e.args[name], address);
}

/** Names compare in any case, as the store compares them. */
const same = (a: string | null | undefined, b: string): boolean => a != null && a.toLowerCase() === b.toLowerCase();

/** The contract filter: an address, or the event's token symbol in any case. */
function isContract(e: StoredEvent, contract: string): boolean {
  return contract.startsWith("0x") ? same(e.contract, contract) : same(e.symbol, contract);
}

/** Whether the engine would select `e` with `f` (the store's rules, for events pushed live). */
export function matchesFilter(e: StoredEvent, f: EventFilter): boolean {
  const t = e.blockTime;
  return (
    (f.listener == null || e.listeners.some((l) => same(l, f.listener ?? ""))) &&
    (f.network == null || same(e.network, f.network)) &&
    (f.event == null || same(e.event, f.event) || same(e.signature, f.event)) &&
    (f.contract == null || isContract(e, f.contract)) &&
    (f.address == null || hasAddress(e, f.address.toLowerCase(), f.direction)) &&
    inAmountRange(e, f.minAmount, f.maxAmount) &&
    (f.status == null || e.status === f.status) &&
    (f.fromBlock == null || e.blockNumber >= f.fromBlock) &&
    (f.toBlock == null || e.blockNumber <= f.toBlock) &&
    (f.fromTime == null || (t != null && t >= f.fromTime)) &&
    (f.toTime == null || (t != null && t <= f.toTime))
  );
}
