// How the Tokens screen words a token's registers: one section per ERC-3643 register, each entry
// with its value (amounts in token units), since which block, and its history; the identity and
// ERC-1400 partition registers as tables (see `identityTable`, `partitionTable`).
import { formatAddress, formatCount, formatLocalTime, visibleText } from "./format";
import { units } from "./tokens-model";
import type { ComplianceRegisters } from "./bindings/ComplianceRegisters";
import type { RegisterChange } from "./bindings/RegisterChange";
import type { RegisterEntry } from "./bindings/RegisterEntry";
import type { RegisterKind } from "./bindings/RegisterKind";
import type { TokenState } from "./bindings/TokenState";

type Units = Pick<TokenState, "decimals" | "symbol">;

export interface EntryLine {
  /** Names the entry across reads (see `entryKey`). */
  key: string;
  /** The full address (a recovery's lost wallet). */
  address: string;
  /** The address as shown, with its label. */
  who: string;
  value: string;
  /** "since block 12" (for a recovery, "at block 12"). */
  since: string;
  /** Oldest first: "block 12 (3 Mar 10:00): TokensFrozen +1,000 DBOND". */
  history: string[];
}

export interface RegisterSection {
  register: RegisterKind;
  title: string;
  /** Shown when the register has no entry. */
  empty: string;
  entries: EntryLine[];
}

const SECTIONS: readonly { register: RegisterKind; title: string; empty: string }[] = [
  { register: "frozen_wallet", title: "Frozen wallets", empty: "No wallet is frozen." },
  { register: "frozen_amount", title: "Frozen amounts", empty: "No tokens are frozen." },
  { register: "agent", title: "Agents", empty: "No agent is stored." },
  { register: "paused", title: "Paused", empty: "Never paused." },
  { register: "recovery", title: "Recoveries", empty: "No recovery." },
];

/** An entry's key: its register, address and the event that opened it. */
export function entryKey(e: RegisterEntry): string {
  return `${e.register}:${e.address.toLowerCase()}:${String(e.history[0]?.eventId ?? e.sinceBlock)}`;
}

/** An amount change as "+1,000 DBOND" / "-40 DBOND". */
function signedUnits(value: string, t: Units): string {
  const negative = value.startsWith("-");
  const raw = value.replace(/^[+-]/, "");
  return `${negative ? "-" : "+"}${units(raw, t)}`;
}

function changeText(c: RegisterChange, register: RegisterKind, t: Units, network: string): string {
  const at = `block ${formatCount(c.block)}${c.time == null ? "" : ` (${formatLocalTime(c.time)})`}`;
  let what: string;
  if (register === "frozen_amount") what = signedUnits(c.value, t);
  else if (register === "recovery") what = `to ${formatAddress(c.value, network)}`;
  else if (register === "frozen_wallet") what = c.value === "true" ? "frozen" : "unfrozen";
  else if (register === "paused") what = c.value === "true" ? "paused" : "unpaused";
  else if (register === "partition") what = signedUnits(c.value, t);
  else if (register === "identity" && c.event !== "CountryUpdated") what = formatAddress(c.value, network);
  else what = c.value;
  return `${at}: ${c.event} ${what}`;
}

function valueText(e: RegisterEntry, t: Units, network: string): string {
  switch (e.register) {
    case "frozen_wallet":
      return "frozen";
    case "frozen_amount":
      return units(e.value, t);
    case "agent":
      return "agent";
    case "paused":
      return e.value === "true" ? "paused" : "not paused";
    case "recovery":
      return `recovered to ${formatAddress(e.value, network)}`;
    case "identity":
      return `identity ${formatAddress(e.value, network)}`;
    case "partition":
      return units(e.value, t);
  }
}

/** "France (250)", "code 999" for a code that is no country. */
function countryText(code: number, name: string | null | undefined): string {
  return name == null || name === "" ? `code ${String(code)}` : `${name} (${String(code)})`;
}

/** An entry as the tables show it. */
function line(e: RegisterEntry, t: Units, network: string): EntryLine {
  return {
    key: entryKey(e),
    address: e.address,
    who: formatAddress(e.address, network),
    value: valueText(e, t, network),
    since: `${e.register === "recovery" ? "at" : "since"} block ${formatCount(e.sinceBlock)}`,
    history: e.history.map((h) => changeText(h, e.register, t, network)),
  };
}

export interface IdentityLine extends EntryLine {
  /** The identity as shown. */
  identity: string;
  country: string;
}

export interface IdentityTable {
  /** "Identity registry 0x1234…abcd": where the entries come from. */
  source: string;
  empty: string;
  rows: IdentityLine[];
}

/** The identity register, or null when the token names no identity registry. */
export function identityTable(c: ComplianceRegisters | null): IdentityTable | null {
  if (c == null || (c.registry == null && c.identityEvents === 0)) return null;
  const registry = c.registry == null ? "" : ` ${formatAddress(c.registry, c.network)}`;
  return {
    source: `Identity registry${registry}: ${formatCount(c.identityEvents)} stored events`,
    empty: "No wallet is registered.",
    rows: c.entries.filter((e) => e.register === "identity").map((e) => ({
      ...line(e, { decimals: null, symbol: null }, c.network),
      identity: formatAddress(e.value, c.network),
      country: e.country == null ? "not set by an event" : countryText(e.country, e.countryName),
    })),
  };
}

export interface PartitionLine extends EntryLine {
  /** The partition's name (text when printable, else hex), as the chain has it. */
  partition: string;
}

/** The ERC-1400 balances per partition, or null when the token has no partition event. */
export function partitionTable(c: ComplianceRegisters | null, t: Units): PartitionLine[] | null {
  if (c == null || c.partitionEvents === 0) return null;
  return c.entries.filter((e) => e.register === "partition").map((e) => ({ ...line(e, t, c.network), partition: visibleText(e.partition ?? "") }));
}

/** The ERC-3643 sections, or null when the token has no ERC-3643 register event. */
export function complianceSections(c: ComplianceRegisters | null, t: Units): RegisterSection[] | null {
  if (c == null || c.events === 0) return null;
  return SECTIONS.map((s) => ({
    ...s,
    entries: c.entries.filter((e) => e.register === s.register).map((e) => line(e, t, c.network)),
  }));
}
