import { describe, expect, it } from "vitest";
import { complianceSections } from "./compliance-model";
import type { ComplianceRegisters } from "./bindings/ComplianceRegisters";

const A = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const B = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const T = { decimals: 6, symbol: "DBOND" };
const change = (block: number, event: string, value: string) => ({ eventId: block, block, time: null, tx: "0x00", event, value });

const C: ComplianceRegisters = {
  network: "local", chainId: 31337, token: "0x5FbDB2315678afecb367f032d93F642f64180aa3", events: 6,
  entries: [
    { register: "frozen_amount", address: A, value: "60000000", sinceBlock: 5, sinceTime: null, history: [change(4, "TokensFrozen", "+100000000"), change(5, "TokensUnfrozen", "-40000000")] },
    { register: "paused", address: B, value: "false", sinceBlock: 8, sinceTime: null, history: [change(7, "Paused", "true"), change(8, "Unpaused", "false")] },
    { register: "recovery", address: A, value: B, sinceBlock: 9, sinceTime: null, history: [change(9, "RecoverySuccess", B)] },
  ],
};

describe("compliance registers", () => {
  it("are not shown for a token without register events", () => {
    expect(complianceSections(null, T)).toBeNull();
    expect(complianceSections({ ...C, events: 0, entries: [] }, T)).toBeNull();
  });

  it("say each register's entries in token units, since when, with their history", () => {
    const sections = complianceSections(C, T) ?? [];
    expect(sections.map((s) => [s.title, s.entries.length])).toEqual([
      ["Frozen wallets", 0], ["Frozen amounts", 1], ["Agents", 0], ["Paused", 1], ["Recoveries", 1],
    ]);
    const [amount] = sections[1].entries;
    expect([amount.value, amount.since]).toEqual(["60 DBOND", "since block 5"]);
    expect(amount.history).toEqual(["block 4: TokensFrozen +100 DBOND", "block 5: TokensUnfrozen -40 DBOND"]);
    expect([sections[3].entries[0].value, sections[3].entries[0].history[0]]).toEqual(["not paused", "block 7: Paused paused"]);
    const [recovery] = sections[4].entries;
    expect([recovery.value, recovery.since]).toEqual(["recovered to 0x3C44…93BC", "at block 9"]);
  });
});
