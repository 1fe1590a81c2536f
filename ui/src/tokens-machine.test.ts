import { describe, expect, it } from "vitest";
import { initialState, transition, type TokensState } from "./tokens-machine";
import { atText, completeness, parseRegisterAt, reconciliation, shareText, units } from "./tokens-model";
import { formatAddress, formatArgs } from "./format";
import { labelOf, resolveAddress, setBook } from "./labels";
import type { TokenState } from "./bindings/TokenState";

const T: TokenState = {
  network: "local", chainId: 31337, token: "0x5FbDB2315678afecb367f032d93F642f64180aa3", symbol: "TUSD", decimals: 6,
  holders: 2, supply: "1500000", minted: "2000000", burned: "500000", transfers: 4,
  completeFromBlock: 0, coveredToBlock: 9, createdBlock: 1, complete: true,
  reconciledBlock: 9, reconciliation: "ok", reconciliationNote: null, updating: false, registersOnly: false,
};
const KEY = { network: T.network, token: T.token };

function loaded(): TokensState {
  const opened = transition(initialState(), { type: "open" });
  expect(opened.effects).toEqual([{ type: "fetchTokens" }]);
  return transition(opened.state, { type: "tokens", tokens: [T] }).state;
}

describe("the Tokens screen's machine", () => {
  it("chooses the first token and reads its holders and supply", () => {
    const opened = transition(initialState(), { type: "open" }).state;
    const step = transition(opened, { type: "tokens", tokens: [T, { ...T, network: "base" }] });
    expect(step.state.selected).toEqual(KEY);
    expect(step.effects.map((e) => e.type)).toEqual(["fetchTop", "fetchSupply", "fetchHolders", "fetchCompliance"]);
    expect(step.state.top.kind).toBe("loading");
  });

  it("reads only the registers of a token that has nothing else stored", () => {
    const only = { ...T, token: "0x1111111111111111111111111111111111111111", registersOnly: true };
    const opened = transition(initialState(), { type: "open" }).state;
    const step = transition(opened, { type: "tokens", tokens: [only, T] });
    expect(step.effects.map((e) => e.type)).toEqual(["fetchCompliance"]);
    expect([step.state.top.kind, step.state.supply.kind, step.state.compliance.kind]).toEqual(["idle", "idle", "loading"]);
    const again = transition(step.state, { type: "tokens", tokens: [only, T] });
    expect(again.effects.map((e) => e.type)).toEqual(["fetchCompliance"]);
    const other = transition(step.state, { type: "select", key: KEY });
    expect(other.effects.map((e) => e.type)).toEqual(["fetchTop", "fetchSupply", "fetchHolders", "fetchCompliance"]);
  });

  it("drops answers for a token no longer chosen", () => {
    const s = transition(loaded(), { type: "select", key: { ...KEY, network: "base" } }).state;
    const after = transition(s, { type: "top", key: KEY, rows: [] }).state;
    expect(after.top.kind).toBe("loading");
  });

  it("an empty list selects nothing", () => {
    const s = transition(transition(initialState(), { type: "open" }).state, { type: "tokens", tokens: [] });
    expect(s.state.selected).toBeNull();
    expect(s.effects).toEqual([]);
  });

  it("keeps a register answer only for the place asked last", () => {
    let s = transition(loaded(), { type: "registerAt", at: { kind: "block", block: 5 } }).state;
    s = transition(s, { type: "registerAt", at: { kind: "head" } }).state;
    const page = { block: 5, holders: 1, rows: [] };
    expect(transition(s, { type: "register", key: KEY, at: { kind: "block", block: 5 }, page }).state.register?.page.kind).toBe("loading");
    expect(transition(s, { type: "register", key: KEY, at: { kind: "head" }, page }).state.register?.page.kind).toBe("loaded");
  });

  it("opens an address of another token by choosing that token too", () => {
    const other = { network: "base", token: T.token };
    const step = transition(loaded(), { type: "openAddress", key: other, address: "0xab" });
    expect(step.state.selected).toEqual(other);
    expect(step.effects.map((e) => e.type)).toEqual(["fetchTop", "fetchSupply", "fetchHolders", "fetchCompliance", "fetchAddress"]);
    const failed = transition(step.state, { type: "failed", part: "address", key: other, message: "no" }).state;
    expect(failed.address?.history).toEqual({ kind: "failed", message: "no" });
  });
});

describe("how a token reads", () => {
  it("says since which block a partial history is and how to complete it", () => {
    const c = completeness({ ...T, complete: false, completeFromBlock: 1200 });
    expect(c.text).toBe("Partial since block 1,200");
    expect(c.action).toMatch(/set from block 0 on the listener/);
    expect(completeness({ ...T, complete: false, completeFromBlock: null }).action).toMatch(/Add a listener with erc20:Transfer/);
    expect(completeness(T).text).toBe("Complete (since its creation at block 1)");
  });

  it("says a backfill is adding transfers, even where the history is complete", () => {
    const c = completeness({ ...T, updating: true });
    expect(c).toMatchObject({ complete: false, text: "Updating: a backfill is adding its transfers" });
    expect(c.action).toMatch(/take them in when it ends/);
  });

  it("words the chain check, escaping the note", () => {
    expect(reconciliation(T)).toEqual({ state: "ok", text: "Agrees with the chain at block 9" });
    const m = reconciliation({ ...T, reconciliation: "mismatch", reconciliationNote: "off by \u202E1" });
    expect(m.text).toBe("Mismatch with the chain at block 9: off by \\u{202E}1");
    expect(reconciliation({ ...T, reconciliation: "unchecked", reconciledBlock: null }).text).toBe("Not checked against the chain yet");
  });

  it("gives amounts in units, shares in percent, and reads where a register is taken", () => {
    expect(units("1250000", T)).toBe("1.25 TUSD");
    expect(units("1250000", { decimals: null, symbol: null })).toBe("1,250,000");
    expect(shareText("0.555555")).toBe("55.56 %");
    expect(shareText("0.00001")).toBe("<0.01 %");
    expect(shareText(null)).toBe("—");
    expect(parseRegisterAt("")).toEqual({ kind: "head" });
    expect(parseRegisterAt("1,234")).toEqual({ kind: "block", block: 1234 });
    expect(parseRegisterAt("2024-05-01")).toEqual({ kind: "time", time: 1714521600, text: "2024-05-01" });
    expect(parseRegisterAt("2024-05-01 12:30")).toMatchObject({ time: 1714566600 });
    expect(parseRegisterAt("2024-02-30")).toBeNull();
    expect(parseRegisterAt("yesterday")).toBeNull();
    expect(atText({ kind: "time", time: 0, text: "2024-05-01" })).toBe("at 2024-05-01 (UTC)");
  });
});

describe("the address book in the window", () => {
  it("prefers a network's own label and finds addresses by label", () => {
    const a = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    const b = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
    setBook([
      { address: a, label: "Treasury", network: null },
      { address: a, label: "Local treasury", network: "local" },
      { address: b, label: "Exchange", network: "local" },
      { address: a, label: "Exchange", network: "base" },
    ]);
    expect(labelOf(a.toLowerCase(), "local")).toBe("Local treasury");
    expect(labelOf(a, "mainnet")).toBe("Treasury");
    expect(labelOf(b, "mainnet")).toBeNull();
    expect(resolveAddress("exchange", "local")).toEqual({ ok: true, address: b.toLowerCase() });
    const both = resolveAddress("Exchange", null);
    expect(both.ok).toBe(false);
    expect(!both.ok && both.message).toMatch(/names 2 addresses/);
    expect(resolveAddress(a, null)).toEqual({ ok: true, address: a });
    expect(formatAddress(a, "local")).toBe("Local treasury 0x7099…79C8");
    expect(formatArgs({ from: a, to: b, value: "5" }, [], "local")).toBe("Local treasury 0x7099…79C8 → Exchange 0x3C44…93BC  5");
    setBook([{ address: a, label: "evil\u202Eman", network: null }]);
    expect(formatAddress(a)).toBe("evil\\u{202E}man 0x7099…79C8");
    setBook([]);
    expect(formatAddress(a)).toBe("0x7099…79C8");
  });

  it("keeps the chosen token's compliance registers and opens one entry's history at a time", () => {
    const registers = { network: KEY.network, chainId: 31337, token: KEY.token, events: 1, entries: [], registry: null, identityEvents: 0, partitionEvents: 0 };
    let s = transition(loaded(), { type: "compliance", key: { ...KEY, network: "base" }, registers }).state;
    expect(s.compliance.kind).toBe("loading");
    s = transition(s, { type: "compliance", key: KEY, registers }).state;
    expect(s.compliance).toEqual({ kind: "loaded", value: registers });
    s = transition(s, { type: "toggleEntry", entry: "agent:0xab:1" }).state;
    expect(s.openEntry).toBe("agent:0xab:1");
    expect(transition(s, { type: "toggleEntry", entry: "agent:0xab:1" }).state.openEntry).toBeNull();
    const other = transition(s, { type: "select", key: { ...KEY, network: "base" } }).state;
    expect([other.openEntry, other.compliance.kind]).toEqual([null, "loading"]);
  });
});
