// Pure formatting helpers: addresses, token amounts, counts, times, lag and event arguments.
import { labelOf } from "./labels";
import type { EndpointHealth } from "./bindings/EndpointHealth";

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
const INTEGER_RE = /^-?\d+$/;

/** "0x1234567890abcdef…" -> "0x1234…abcd"; strings too short to shorten are returned as is. */
export function shortenAddress(address: string, head = 4, tail = 4): string {
  const body = address.startsWith("0x") ? address.slice(2) : address;
  const prefix = address.startsWith("0x") ? "0x" : "";
  if (body.length <= head + tail + 1) return address;
  return `${prefix}${body.slice(0, head)}…${body.slice(-tail)}`;
}

/**
 * An address as the window shows it: its label from the address book with the short address
 * ("Treasury 0x1234…abcd"), or the short address alone. Labels are the user's text: their
 * reordering characters are shown, never obeyed.
 */
export function formatAddress(address: string, network: string | null = null): string {
  const label = labelOf(address, network);
  return label == null ? shortenAddress(address) : `${visibleText(label)} ${shortenAddress(address)}`;
}

/** True for a 20-byte hex address. */
export function isAddress(value: string): boolean {
  return ADDRESS_RE.test(value);
}

/** Inserts thousands separators into a string of digits (optionally signed). */
export function groupThousands(digits: string): string {
  const negative = digits.startsWith("-");
  const body = negative ? digits.slice(1) : digits;
  const grouped = body.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return negative ? `-${grouped}` : grouped;
}

/** A count with thousands separators: 1234567 -> "1,234,567". */
export function formatCount(n: number | bigint): string {
  if (typeof n === "number" && !Number.isSafeInteger(n)) return String(n);
  return groupThousands(BigInt(n).toString());
}

/**
 * A token amount from its raw integer (decimal string) and the token's decimals, exact:
 * ("1250000000", 6) -> "1,250"; ("1", 18) -> "0.000000000000000001". Trailing fraction zeros
 * are trimmed. Input that is not an integer is returned unchanged.
 */
export function formatTokenAmount(raw: string, decimals: number): string {
  const text = raw.trim();
  if (!INTEGER_RE.test(text) || !Number.isInteger(decimals) || decimals < 0) return raw;
  let value = BigInt(text);
  const negative = value < 0n;
  if (negative) value = -value;
  const scale = 10n ** BigInt(decimals);
  const whole = value / scale;
  const fraction = (value % scale).toString().padStart(decimals, "0").replace(/0+$/, "");
  const sign = negative ? "-" : "";
  const wholeText = groupThousands(whole.toString());
  return fraction.length > 0 ? `${sign}${wholeText}.${fraction}` : `${sign}${wholeText}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * Local wall-clock time of a Unix timestamp (seconds): "14:03:22" when it is the same local
 * day as `nowMs`, "4 Mar 14:03" in the same year, "4 Mar 2023 14:03" otherwise.
 */
export function formatLocalTime(epochSeconds: number, nowMs: number = Date.now()): string {
  const d = new Date(epochSeconds * 1000);
  const now = new Date(nowMs);
  const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  const sameYear = d.getFullYear() === now.getFullYear();
  if (sameYear && d.getMonth() === now.getMonth() && d.getDate() === now.getDate()) {
    return `${hm}:${pad2(d.getSeconds())}`;
  }
  const day = `${d.getDate()} ${MONTHS[d.getMonth()]}`;
  return sameYear ? `${day} ${hm}` : `${day} ${d.getFullYear()} ${hm}`;
}

/** Full local date and time, for tooltips: "2024-03-04 14:03:22". */
export function formatFullLocalTime(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return (
    `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`
  );
}

/** How long ago a Unix timestamp (seconds) was: "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago". */
export function formatRelativeTime(epochSeconds: number, nowMs: number = Date.now()): string {
  const seconds = Math.floor(nowMs / 1000 - epochSeconds);
  if (seconds < 5) return "just now";
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

/** A network's lag in plain words: "in sync", "1 block behind", "1,234 blocks behind", "unknown". */
export function formatLag(lag: number | null | undefined): string {
  if (lag == null || !Number.isFinite(lag) || lag < 0) return "unknown";
  if (lag === 0) return "in sync";
  return `${formatCount(lag)} ${lag === 1 ? "block" : "blocks"} behind`;
}

/** A block number as plain digits, or a dash when unknown. */
export function formatBlock(block: number | null | undefined): string {
  return block == null ? "—" : String(block);
}

/**
 * Fraction (0..1) of a backfill done: blocks from `fromBlock` through `coveredTo` out of
 * `fromBlock` through `head`. Null when the head is unknown.
 */
export function backfillFraction(
  fromBlock: number,
  coveredTo: number | null,
  head: number | null | undefined,
): number | null {
  if (head == null) return null;
  const total = head - fromBlock + 1;
  if (total <= 0) return 1;
  const done = coveredTo == null ? 0 : coveredTo - fromBlock + 1;
  return Math.min(1, Math.max(0, done / total));
}

/** One decoded argument value, compact: addresses shortened (with their label on `network`), integers grouped. */
export function formatArgValue(value: unknown, network: string | null = null): string {
  if (value == null) return "null";
  if (typeof value === "string") {
    if (isAddress(value)) return formatAddress(value, network);
    if (INTEGER_RE.test(value)) return groupThousands(value);
    if (/^0x[0-9a-fA-F]{17,}$/.test(value)) return shortenAddress(value);
    return visibleText(value);
  }
  if (typeof value === "number" || typeof value === "bigint") return formatCount(value);
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => formatArgValue(v, network)).join(", ")}]`;
  if (typeof value === "object") {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${formatArgValue(v, network)}`)
      .join(", ");
    return `{${inner}}`;
  }
  return String(value);
}

/**
 * Decoded arguments in one line, in ABI order when `order` (the event's `argNames`) is given.
 * With `from` and `to` (transfers): "0x12…34 → 0x56…78  1,000"; otherwise "name=value  name=value".
 */
/**
 * Text from the chain with the characters that reorder or hide the text around them (bidi
 * overrides and isolates, zero-width characters) shown as `\u{…}`: a string argument must
 * not make a row read differently from what it holds.
 */
export function visibleText(s: string): string {
  return s.replace(/[\u200B-\u200F\u202A-\u202E\u2060-\u2069\u061C\uFEFF]/g, (c) => `\\u{${c.codePointAt(0)?.toString(16).toUpperCase() ?? ""}}`);
}

export function formatArgs(args: Record<string, unknown>, order: string[] = [], network: string | null = null): string {
  const known = order.filter((k) => k in args);
  const keys = [...known, ...Object.keys(args).filter((k) => !known.includes(k))];
  const entries: [string, unknown][] = keys.map((k) => [k, args[k]]);
  if ("from" in args && "to" in args) {
    const rest = entries
      .filter(([k]) => k !== "from" && k !== "to")
      .map(([, v]) => formatArgValue(v, network));
    const head = `${formatArgValue(args.from, network)} → ${formatArgValue(args.to, network)}`;
    return rest.length > 0 ? `${head}  ${rest.join("  ")}` : head;
  }
  return entries.map(([k, v]) => `${k}=${formatArgValue(v, network)}`).join("  ");
}

/** An endpoint's health in words (Networks screen and dashboard). */
export const HEALTH_WORDS: Record<EndpointHealth, string> = {
  unknown: "not checked yet",
  ok: "healthy",
  rateLimited: "rate limited",
  down: "down",
  lagging: "behind the others",
};
