// How the Tokens screen words a token: its amounts in units, how complete its history is and
// what to do about it, how it compares with the chain, shares, and where a register is taken.
import { formatCount, formatTokenAmount, groupThousands, visibleText } from "./format";
import type { RegisterAt } from "./tokens-machine";
import type { TokenState } from "./bindings/TokenState";
import type { HolderPoint } from "./bindings/HolderPoint";
import type { HolderSeries } from "./bindings/HolderSeries";

/** "1,250.5 TUSD" (the raw integer grouped when the decimals are unknown). */
export function units(raw: string, t: Pick<TokenState, "decimals" | "symbol">): string {
  const amount = t.decimals == null ? groupThousands(raw) : formatTokenAmount(raw, t.decimals);
  return t.symbol ? `${amount} ${visibleText(t.symbol)}` : amount;
}

/** The token's name in lists: its symbol (the contract says it; the address goes with it). */
export function tokenName(t: Pick<TokenState, "symbol" | "token">): string {
  return t.symbol ? visibleText(t.symbol) : t.token;
}

export interface Completeness {
  complete: boolean;
  /** "Complete" or "Partial since block N". */
  text: string;
  /** What to do about a partial history (null when complete). */
  action: string | null;
}

/** Whether the stored transfers hold the whole history, and how to complete it. */
export function completeness(t: TokenState): Completeness {
  if (t.updating) {
    return {
      complete: false,
      text: "Updating: a backfill is adding its transfers",
      action: "A backfill of this network is storing transfers of this token; holders, balances and supply take them in when it ends, and count only what came before until then.",
    };
  }
  if (t.complete) {
    const since = t.createdBlock == null ? "" : ` (since its creation at block ${formatCount(t.createdBlock)})`;
    return { complete: true, text: `Complete${since}`, action: null };
  }
  if (t.completeFromBlock == null) {
    return {
      complete: false,
      text: "Partial: no listener keeps all its transfers",
      action: "Add a listener with erc20:Transfer on this contract and no condition, from block 0: holders and supply are then exact.",
    };
  }
  return {
    complete: false,
    text: `Partial since block ${formatCount(t.completeFromBlock)}`,
    action: `Transfers before block ${formatCount(t.completeFromBlock)} are not stored: set from block 0 on the listener that watches its transfers and let it backfill. Until then holders and balances count only what came after.`,
  };
}

export interface Reconciliation {
  state: "ok" | "mismatch" | "unchecked";
  text: string;
}

/** How the derived supply compared with the chain's, last time it was checked. */
export function reconciliation(t: TokenState): Reconciliation {
  const at = t.reconciledBlock == null ? "" : ` at block ${formatCount(t.reconciledBlock)}`;
  if (t.reconciliation === "ok") return { state: "ok", text: `Agrees with the chain${at}` };
  if (t.reconciliation === "mismatch") {
    const note = t.reconciliationNote ? `: ${visibleText(t.reconciliationNote)}` : "";
    return { state: "mismatch", text: `Mismatch with the chain${at}${note}` };
  }
  return { state: "unchecked", text: t.complete ? "Not checked against the chain yet" : "Not checked: its history is partial" };
}

/** A share ("0.555555") as a percentage: "55.56 %"; "<0.01 %" for tiny ones; "—" when unknown. */
export function shareText(share: string | null): string {
  if (share == null) return "—";
  const pct = Number(share) * 100;
  if (!Number.isFinite(pct)) return "—";
  if (pct > 0 && pct < 0.01) return "<0.01 %";
  return `${pct.toFixed(2)} %`;
}

/**
 * Where to take the register from what was typed: empty for the newest block, a block number,
 * or a UTC date ("2024-05-01", the start of that day) or time ("2024-05-01 12:00"). Null: neither.
 */
export function parseRegisterAt(text: string): RegisterAt | null {
  const v = text.trim();
  if (v === "") return { kind: "head" };
  if (/^\d[\d,]*$/.test(v)) {
    const block = Number(v.replace(/,/g, ""));
    return Number.isSafeInteger(block) ? { kind: "block", block } : null;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?Z?$/.exec(v);
  if (m == null) return null;
  const [y, mo, d, hh, mm, ss] = m.slice(1).map((x) => (x == null ? 0 : Number(x)));
  const ms = Date.UTC(y, mo - 1, d, hh, mm, ss);
  const back = new Date(ms);
  if (Number.isNaN(ms) || back.getUTCDate() !== d || back.getUTCMonth() !== mo - 1) return null;
  return { kind: "time", time: Math.floor(ms / 1000), text: v };
}

/** "at block 1,234", "at 2024-05-01 (UTC)", "at the newest block". */
export function atText(at: RegisterAt): string {
  if (at.kind === "head") return "at the newest block";
  if (at.kind === "block") return `at block ${formatCount(at.block)}`;
  return `at ${at.text} (UTC)`;
}

/** A raw amount as a number of units, for drawing (exactness is the table's job). */
export function unitsNumber(raw: string, decimals: number | null): number {
  const n = Number(raw);
  return decimals == null ? n : n / 10 ** decimals;
}

/** One point of the holder count chart (the chart's `Step`). */
export interface HolderStep {
  time: number;
  value: number;
  title: string;
  kind: "up" | "down" | "flat";
}

/** The holder count chart's points and its note ("3 holders at block 12; at most 5"), or null with no transfer. */
export function holderChart(series: HolderSeries): { steps: HolderStep[]; note: string } | null {
  const last = series.points[series.points.length - 1] as HolderPoint | undefined;
  if (last == null) return null;
  let before = 0;
  const steps = series.points.map((p) => {
    const kind = p.holders > before ? ("up" as const) : p.holders < before ? ("down" as const) : ("flat" as const);
    before = p.holders;
    return { time: p.time, value: p.holders, kind, title: `${formatCount(p.holders)} holders after block ${formatCount(p.lastBlock)}` };
  });
  const most = Math.max(...series.points.map((p) => p.holders));
  return { steps, note: `${formatCount(last.holders)} holders at block ${formatCount(last.lastBlock)}; at most ${formatCount(most)}` };
}
