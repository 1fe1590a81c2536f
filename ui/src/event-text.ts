// How a stored event's token reads in tables (History, the live feed): its amount in token units, its contract by symbol.
import { formatAddress, formatTokenAmount, shortenAddress } from "./format";
import type { StoredEvent } from "./bindings/StoredEvent";

/** The argument names the engine reads an event's amount from, in order of preference. */
const AMOUNT_KEYS = ["value", "amount", "_value", "_amount", "wad"];

export interface Amount {
  /** The argument it came from, e.g. `value`. */
  key: string;
  /** The raw integer, as stored. */
  raw: string;
  /** In token units with the symbol ("1,250.5 TUSD") when the token's decimals are known. */
  units: string | null;
}

/** The event's token amount: its first unsigned `value`/`amount`-like argument. */
export function amountOf(e: StoredEvent): Amount | null {
  const lower = new Map(Object.keys(e.args).map((k) => [k.toLowerCase(), k]));
  for (const name of AMOUNT_KEYS) {
    const key = lower.get(name);
    const raw = key == null ? undefined : e.args[key];
    if (key == null || typeof raw !== "string" || !/^\d+$/.test(raw)) continue;
    const units =
      e.decimals == null ? null : `${formatTokenAmount(raw, e.decimals)}${e.symbol ? ` ${e.symbol}` : ""}`;
    return { key, raw, units };
  }
  return null;
}

/** Characters of a number a table shows whole. */
const AMOUNT_CHARS = 16;

/**
 * An amount in units for a table cell: a long fraction is cut to fit, marked with "…"
 * ("0.0000000049999… WETH"); the whole number and the symbol are always shown.
 */
export function fitAmount(units: string, chars: number = AMOUNT_CHARS): string {
  const m = /^(-?[\d,]+)\.(\d+)(.*)$/s.exec(units);
  if (m == null) return units;
  const [, whole, fraction, rest] = m;
  if (whole.length + 1 + fraction.length <= chars) return units;
  const keep = Math.max(1, chars - whole.length - 2);
  if (keep >= fraction.length) return units;
  return `${whole}.${fraction.slice(0, keep)}…${rest}`;
}

/**
 * A contract cell: "USDC 0xa0b8…eb48" when the token's symbol is known, the short address
 * otherwise. A symbol is whatever the contract says it is: the address goes with it, so a
 * token calling itself USDC is not taken for USDC.
 */
export function contractText(e: Pick<StoredEvent, "contract" | "symbol"> & { network?: string }): { text: string; title: string } {
  return {
    text: e.symbol ? `${e.symbol} ${shortenAddress(e.contract)}` : formatAddress(e.contract, e.network ?? null),
    title: e.symbol ? `${e.symbol} · ${e.contract}` : e.contract,
  };
}
