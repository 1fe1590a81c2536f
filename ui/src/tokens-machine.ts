// The Tokens screen's state as a machine without the DOM: the token list, the chosen token's
// top holders, supply and holders over time, the register at a block or date, one address's balance,
// and its compliance registers (with the entry whose history is open).
import type { AddressHistory } from "./bindings/AddressHistory";
import type { ComplianceRegisters } from "./bindings/ComplianceRegisters";
import type { HolderRow } from "./bindings/HolderRow";
import type { HolderSeries } from "./bindings/HolderSeries";
import type { RegisterPage } from "./bindings/RegisterPage";
import type { SupplySeries } from "./bindings/SupplySeries";
import type { TokenState } from "./bindings/TokenState";

/** Holders listed on the summary. */
export const TOP_HOLDERS = 10;
/** Time buckets asked for the supply chart. */
export const SUPPLY_BUCKETS = 60;

/** Something read from the engine: not asked yet, on its way, there, or why not. */
export type Loadable<T> =
  | { kind: "idle" }
  | { kind: "loading" }
  | { kind: "loaded"; value: T }
  | { kind: "failed"; message: string };

/** A token: network and contract. */
export interface TokenKey {
  network: string;
  token: string;
}

/** Where a register is taken: the newest covered block, a block, or a UTC time (seconds). */
export type RegisterAt = { kind: "head" } | { kind: "block"; block: number } | { kind: "time"; time: number; text: string };

export interface TokensState {
  tokens: Loadable<TokenState[]>;
  selected: TokenKey | null;
  top: Loadable<HolderRow[]>;
  supply: Loadable<SupplySeries>;
  /** The number of holders over time (beside supply). */
  holders: Loadable<HolderSeries>;
  register: { at: RegisterAt; page: Loadable<RegisterPage> } | null;
  /** An address's balance over time in the selected token. */
  address: { address: string; history: Loadable<AddressHistory> } | null;
  /** ERC-3643 registers (null: the network has nothing of the token). */
  compliance: Loadable<ComplianceRegisters | null>;
  /** The compliance entry whose history is shown (see `entryKey`). */
  openEntry: string | null;
}

/** What is read for the chosen token, each on its own. */
export type TokensPart = "top" | "supply" | "holders" | "register" | "address" | "compliance";

export type TokensEvent =
  | { type: "open" }
  | { type: "tokens"; tokens: TokenState[] }
  | { type: "tokensFailed"; message: string }
  | { type: "select"; key: TokenKey }
  | { type: "top"; key: TokenKey; rows: HolderRow[] }
  | { type: "supply"; key: TokenKey; series: SupplySeries }
  | { type: "holders"; key: TokenKey; series: HolderSeries }
  | { type: "registerAt"; at: RegisterAt }
  | { type: "register"; key: TokenKey; at: RegisterAt; page: RegisterPage }
  | { type: "openAddress"; key: TokenKey; address: string }
  | { type: "closeAddress" }
  | { type: "compliance"; key: TokenKey; registers: ComplianceRegisters | null }
  | { type: "toggleEntry"; entry: string }
  | { type: "address"; key: TokenKey; address: string; history: AddressHistory }
  | { type: "failed"; part: TokensPart; key: TokenKey; message: string };

export type TokensEffect =
  | { type: "fetchTokens" }
  | { type: "fetchTop"; key: TokenKey }
  | { type: "fetchSupply"; key: TokenKey }
  | { type: "fetchHolders"; key: TokenKey }
  | { type: "fetchCompliance"; key: TokenKey }
  | { type: "fetchRegister"; key: TokenKey; at: RegisterAt }
  | { type: "fetchAddress"; key: TokenKey; address: string };

export interface Step {
  state: TokensState;
  effects: TokensEffect[];
}

export function initialState(): TokensState {
  return { tokens: { kind: "idle" }, selected: null, top: { kind: "idle" }, supply: { kind: "idle" }, holders: { kind: "idle" }, register: null, address: null, compliance: { kind: "idle" }, openEntry: null };
}

export function sameKey(a: TokenKey | null, b: TokenKey | null): boolean {
  return a != null && b != null && a.network === b.network && a.token.toLowerCase() === b.token.toLowerCase();
}

function sameAt(a: RegisterAt, b: RegisterAt): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The selected token's state, when listed. */
export function selectedToken(s: TokensState): TokenState | null {
  if (s.tokens.kind !== "loaded") return null;
  return s.tokens.value.find((t) => sameKey(t, s.selected)) ?? null;
}

/** Whether the listed token `key` has only registers (no holders or supply to read). */
function registersOnly(s: TokensState, key: TokenKey): boolean {
  return s.tokens.kind === "loaded" && s.tokens.value.some((t) => sameKey(t, key) && t.registersOnly);
}

/** What is read for a token: its registers, and its holders and supply when it has them. */
function reads(s: TokensState, key: TokenKey): TokensEffect[] {
  const compliance: TokensEffect = { type: "fetchCompliance", key };
  if (registersOnly(s, key)) return [compliance];
  return [{ type: "fetchTop", key }, { type: "fetchSupply", key }, { type: "fetchHolders", key }, compliance];
}

/** Choosing a token: its holders and supply are read; the register and address views close. */
function choose(s: TokensState, key: TokenKey): Step {
  const effects = reads(s, key);
  const load = (part: TokensEffect["type"]) => (effects.some((e) => e.type === part) ? { kind: "loading" as const } : { kind: "idle" as const });
  return {
    state: { ...s, selected: key, top: load("fetchTop"), supply: load("fetchSupply"), holders: load("fetchHolders"), register: null, address: null, compliance: { kind: "loading" }, openEntry: null },
    effects,
  };
}

export function transition(s: TokensState, e: TokensEvent): Step {
  const none = (state: TokensState): Step => ({ state, effects: [] });
  const current = (key: TokenKey): boolean => sameKey(s.selected, key);
  switch (e.type) {
    case "open":
      return {
        state: { ...s, tokens: s.tokens.kind === "loaded" ? s.tokens : { kind: "loading" } },
        effects: [{ type: "fetchTokens" }],
      };
    case "tokens": {
      const next = { ...s, tokens: { kind: "loaded", value: e.tokens } as const };
      const keep = e.tokens.find((t) => sameKey(t, s.selected));
      const first = e.tokens[0];
      if (keep != null) {
        // Read again: the totals moved on, so may the holders, the supply and the registers.
        return { state: next, effects: reads(next, s.selected as TokenKey) };
      }
      if (first == null) return none({ ...next, selected: null });
      return choose(next, { network: first.network, token: first.token });
    }
    case "tokensFailed":
      return none({ ...s, tokens: s.tokens.kind === "loaded" ? s.tokens : { kind: "failed", message: e.message } });
    case "select":
      return sameKey(s.selected, e.key) ? none(s) : choose(s, e.key);
    case "top":
      return current(e.key) ? none({ ...s, top: { kind: "loaded", value: e.rows } }) : none(s);
    case "supply":
      return current(e.key) ? none({ ...s, supply: { kind: "loaded", value: e.series } }) : none(s);
    case "holders":
      return current(e.key) ? none({ ...s, holders: { kind: "loaded", value: e.series } }) : none(s);
    case "registerAt": {
      if (s.selected == null) return none(s);
      return {
        state: { ...s, register: { at: e.at, page: { kind: "loading" } } },
        effects: [{ type: "fetchRegister", key: s.selected, at: e.at }],
      };
    }
    case "register":
      if (!current(e.key) || s.register == null || !sameAt(s.register.at, e.at)) return none(s);
      return none({ ...s, register: { at: e.at, page: { kind: "loaded", value: e.page } } });
    case "openAddress": {
      const base = current(e.key) ? s : { ...choose(s, e.key).state };
      const effects: TokensEffect[] = current(e.key) ? [] : choose(s, e.key).effects;
      return {
        state: { ...base, address: { address: e.address, history: { kind: "loading" } } },
        effects: [...effects, { type: "fetchAddress", key: e.key, address: e.address }],
      };
    }
    case "closeAddress":
      return none({ ...s, address: null });
    case "compliance":
      return current(e.key) ? none({ ...s, compliance: { kind: "loaded", value: e.registers } }) : none(s);
    case "toggleEntry":
      return none({ ...s, openEntry: s.openEntry === e.entry ? null : e.entry });
    case "address":
      if (!current(e.key) || s.address?.address.toLowerCase() !== e.address.toLowerCase()) return none(s);
      return none({ ...s, address: { address: s.address.address, history: { kind: "loaded", value: e.history } } });
    case "failed": {
      if (!current(e.key)) return none(s);
      const failed = { kind: "failed", message: e.message } as const;
      if (e.part === "top") return none({ ...s, top: failed });
      if (e.part === "supply") return none({ ...s, supply: failed });
      if (e.part === "holders") return none({ ...s, holders: failed });
      if (e.part === "compliance") return none({ ...s, compliance: failed });
      if (e.part === "register") return none(s.register == null ? s : { ...s, register: { ...s.register, page: failed } });
      return none(s.address == null ? s : { ...s, address: { ...s.address, history: failed } });
    }
  }
}
