import { describe, expect, it } from "vitest";
import { complianceSections, identityTable, partitionTable } from "./compliance-model";
import type { ComplianceRegisters } from "./bindings/ComplianceRegisters";

const A = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const B = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const T = { decimals: 6, symbol: "DBOND" };
const change = (block: number, event: string, value: string) => ({ eventId: block, block, time: null, tx: "0x00", event, value });

const C: ComplianceRegisters = {
  network: "local", chainId: 31337, token: "0x5FbDB2315678afecb367f032d93F642f64180aa3", events: 6, registry: null, identityEvents: 0, partitionEvents: 0,
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

  it("show the identity register with countries named, and the registry it comes from", () => {
    expect(identityTable(C)).toBeNull();
    const R = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
    const table = identityTable({ ...C, registry: R, identityEvents: 3, entries: [
      ...C.entries,
      { register: "identity", address: A, value: B, country: 250, countryName: "France", sinceBlock: 12, sinceTime: null,
        history: [change(11, "IdentityRegistered", B), change(12, "CountryUpdated", "France (250)")] },
      { register: "identity", address: B, value: A, country: 999, sinceBlock: 13, sinceTime: null, history: [change(13, "IdentityRegistered", A)] },
      { register: "identity", address: R, value: A, sinceBlock: 14, sinceTime: null, history: [change(14, "IdentityRegistered", A)] },
    ] });
    expect(table?.source).toBe("Identity registry 0x90F7…b906: 3 stored events");
    expect(table?.rows.map((r) => [r.who, r.identity, r.country, r.since])).toEqual([
      ["0x7099…79C8", "0x3C44…93BC", "France (250)", "since block 12"],
      ["0x3C44…93BC", "0x7099…79C8", "code 999", "since block 13"],
      ["0x90F7…b906", "0x7099…79C8", "not set by an event", "since block 14"],
    ]);
    expect(table?.rows[0].history).toEqual(["block 11: IdentityRegistered 0x3C44…93BC", "block 12: CountryUpdated France (250)"]);
  });

  it("show balances per partition in token units, the partition's name made visible", () => {
    expect(partitionTable(C, T)).toBeNull();
    const lines = partitionTable({ ...C, partitionEvents: 2, entries: [
      { register: "partition", address: A, value: "1500000", partition: "class\u202eA", sinceBlock: 3, sinceTime: null,
        history: [change(2, "IssuedByPartition", "+2000000"), change(3, "TransferByPartition", "-500000")] },
    ] }, T);
    expect(lines?.map((l) => [l.who, l.partition, l.value])).toEqual([["0x7099…79C8", "class\\u{202E}A", "1.5 DBOND"]]);
    expect(lines?.[0].history).toEqual(["block 2: IssuedByPartition +2 DBOND", "block 3: TransferByPartition -0.5 DBOND"]);
  });
});
