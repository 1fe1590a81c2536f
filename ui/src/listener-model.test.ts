// Unit tests for the listener editor model: entry <-> form, parsing, conditions, problem placement.
import { describe, expect, it } from "vitest";
import {
  appendCondition,
  buildEntry,
  chosenEvents,
  conditionClause,
  conditionFields,
  describeListener,
  emptyForm,
  formFromEntry,
  mergeProblems,
  operatorsFor,
  parseAddresses,
  parseFromBlock,
  placeProblems,
  problemField,
} from "./listener-model";
import type { EventInfo } from "./bindings/EventInfo";
import type { ListenerEntry } from "./bindings/ListenerEntry";
import type { PackInfo } from "./bindings/PackInfo";

function ev(name: string, params: [string, string, boolean][]): EventInfo {
  const list = params.map(([n, ty, indexed]) => ({ name: n, ty, indexed }));
  return {
    name,
    signature: `${name}(${list.map((p) => p.ty).join(",")})`,
    display: `${name}(${list.map((p) => `${p.ty}${p.indexed ? " indexed" : ""} ${p.name}`).join(", ")})`,
    params: list,
  };
}

const TRANSFER = ev("Transfer", [["from", "address", true], ["to", "address", true], ["value", "uint256", false]]);
const APPROVAL = ev("Approval", [["owner", "address", true], ["spender", "address", true], ["value", "uint256", false]]);
const OWNERSHIP = ev("OwnershipTransferred", [["previousOwner", "address", true], ["newOwner", "address", true]]);
const PACKS: PackInfo[] = [
  { id: "erc20", title: "ERC-20 token", events: [TRANSFER, APPROVAL] },
  { id: "ownable", title: "Ownable", events: [OWNERSHIP] },
];
const USDC = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48";
const CUSTOM = "Minted(address indexed to, uint256 amount)";

function entry(over: Partial<ListenerEntry> = {}): ListenerEntry {
  return {
    name: "usdc-transfers",
    network: "mainnet",
    contracts: [USDC],
    events: ["erc20:Transfer"],
    abi: null,
    where: "value >= 1000",
    from_block: 21_400_000,
    paused: false,
    webhooks: ["ops-hook"],
    rabbitmq: [],
    notify: true,
    announce_history: false,
    ...over,
  };
}

describe("form <-> entry", () => {
  it("round-trips an entry through the form", () => {
    const e = entry({ events: ["erc20:Transfer", "ownable", CUSTOM] });
    const form = formFromEntry(e, PACKS);
    expect(form.presets.sort()).toEqual(["erc20:Transfer", "ownable:OwnershipTransferred"]);
    expect(form.custom).toEqual([{ spec: CUSTOM, info: null, checked: true }]);
    expect(form.wholeNetwork).toBe(false);
    expect(form.fromBlock).toBe("21400000");
    const built = buildEntry(form, PACKS);
    expect(built.problems).toEqual([]);
    expect(built.entry).toEqual(e);
  });

  it("stores a fully ticked pack as the pack, and reads pack:* and case-insensitive ids", () => {
    const form = formFromEntry(entry({ events: ["ERC20:*"] }), PACKS);
    expect(form.presets).toEqual(["erc20:Transfer", "erc20:Approval"]);
    expect(buildEntry(form, PACKS).entry.events).toEqual(["erc20"]);
    form.presets = ["erc20:Approval"];
    expect(buildEntry(form, PACKS).entry.events).toEqual(["erc20:Approval"]);
  });

  it("keeps unknown pack entries as custom events and leaves out unticked ones", () => {
    const form = formFromEntry(entry({ events: ["erc20:Mint", "erc999"] }), PACKS);
    expect(form.custom.map((c) => c.spec)).toEqual(["erc20:Mint", "erc999"]);
    form.custom[1].checked = false;
    expect(buildEntry(form, PACKS).entry.events).toEqual(["erc20:Mint"]);
  });

  it("builds a whole-network entry without contracts and with empty fields as null", () => {
    const form = { ...emptyForm("base"), wholeNetwork: true, name: "  all transfers ", presets: ["erc20:Transfer"], fromBlock: "" };
    form.contracts = "not used";
    const { entry: e, problems } = buildEntry(form, PACKS);
    expect(problems).toEqual([]);
    expect(e).toMatchObject({ name: "all transfers", network: "base", contracts: [], where: null, from_block: null, notify: true });
  });

  it("starts a new listener from the contracts the user names, not the whole network", () => {
    expect(emptyForm("base").wholeNetwork).toBe(false);
  });

  it("reports a missing name, contracts and events in the form", () => {
    const form = emptyForm("base");
    const fields = buildEntry(form, PACKS).problems.map((p) => p.field);
    expect(fields).toEqual(["name", "contracts", "events"]);
    expect(buildEntry(emptyForm(""), PACKS).problems.map((p) => p.field)).toContain("network");
    expect(buildEntry({ ...form, abi: "fund.json" }, PACKS).problems.map((p) => p.field)).not.toContain("events");
  });

  it("lists the chosen events with their parameters", () => {
    const form = { ...emptyForm("base"), presets: ["erc20:Approval"] };
    form.custom = [{ spec: CUSTOM, info: ev("Minted", [["to", "address", true]]), checked: true }];
    expect(chosenEvents(form, PACKS).map((e) => e.name)).toEqual(["Approval", "Minted"]);
  });
});

describe("parseAddresses", () => {
  it("reads one address per line, skipping blanks and separators", () => {
    const r = parseAddresses(`${USDC}\n\n  ${USDC.toUpperCase().replace("0X", "0x")},\n`);
    expect(r.addresses).toHaveLength(2);
    expect(r.lines).toEqual([1, 3]);
    expect(r.problems).toEqual([]);
  });

  it("names the line of each bad entry", () => {
    const r = parseAddresses(`${USDC}\n0x1234\nusdc\n0x${"g".repeat(40)}`);
    expect(r.problems).toEqual([
      'Line 2: "0x1234" is not an address: it has 4 hex digits instead of 40',
      'Line 3: "usdc" is not an address: it must start with 0x',
      `Line 4: "0x${"g".repeat(40)}" is not an address: it contains characters that are not hex digits`,
    ]);
  });
});

describe("parseFromBlock", () => {
  it("accepts latest, numbers and dates", () => {
    expect(parseFromBlock("")).toEqual({ ok: true, value: null });
    expect(parseFromBlock(" Latest ")).toEqual({ ok: true, value: "latest" });
    expect(parseFromBlock("21,400,000")).toEqual({ ok: true, value: 21_400_000 });
    expect(parseFromBlock("1_000")).toEqual({ ok: true, value: 1000 });
    expect(parseFromBlock("2024-05-01")).toEqual({ ok: true, value: "2024-05-01" });
    expect(parseFromBlock("2024-05-01T12:30:00Z")).toEqual({ ok: true, value: "2024-05-01T12:30:00Z" });
  });

  it("explains what is wrong", () => {
    expect(parseFromBlock("soon")).toEqual({
      ok: false,
      message: '"soon" is not a block number, "latest" or a date like 2024-05-01.',
    });
    expect(parseFromBlock("-5")).toEqual({ ok: false, message: "A block number cannot be negative." });
    expect(parseFromBlock("2024-02-30")).toEqual({ ok: false, message: "2024-02-30 is not a real date or time." });
    expect(parseFromBlock("99999999999999999999").ok).toBe(false);
  });

  it("reports a bad start block at its field and keeps the text for the engine", () => {
    const built = buildEntry({ ...emptyForm("base"), wholeNetwork: true, name: "x", presets: ["erc20:Transfer"], fromBlock: "soon" }, PACKS);
    expect(built.problems.map((p) => p.field)).toEqual(["from_block"]);
    expect(built.entry.from_block).toBe("soon");
  });
});

describe("condition builder", () => {
  it("writes clauses, quoting strings and bracketing lists", () => {
    expect(conditionClause("value", ">=", " 1000 tokens ", "uint256")).toBe("value >= 1000 tokens");
    expect(conditionClause("name", "==", "Bob", "string")).toBe('name == "Bob"');
    expect(conditionClause("to", "in", `${USDC}, 0xabc`, "address")).toBe(`to in [${USDC}, 0xabc]`);
    expect(conditionClause("name", "not in", "[a, b]", "string")).toBe('name not in ["a", "b"]');
    expect(conditionClause("approved", "==", "TRUE", "bool")).toBe("approved == true");
    expect(conditionClause("value", ">", "  ", "uint256")).toBeNull();
  });

  it("appends with and, grouping an existing or", () => {
    expect(appendCondition("", "value > 1")).toBe("value > 1");
    expect(appendCondition("to == 0x1 ", "value > 1")).toBe("to == 0x1 and value > 1");
    expect(appendCondition("a == 1 or b == 2", "value > 1")).toBe("(a == 1 or b == 2) and value > 1");
  });

  it("offers parameters once with the events that have them, and operators by type", () => {
    const fields = conditionFields([TRANSFER, APPROVAL]);
    expect(fields.map((f) => f.name)).toEqual(["from", "to", "value", "owner", "spender"]);
    expect(fields.find((f) => f.name === "value")?.events).toEqual(["Transfer", "Approval"]);
    expect(operatorsFor("uint256")).toContain("<=");
    expect(operatorsFor("address")).toEqual(["==", "!=", "in", "not in"]);
  });

  it("writes a value only some ticked events have as a clause for those events", () => {
    // The issue's case: `to` of Transfer next to three ERC-3643 events without it.
    const frozen = ev("AddressFrozen", [["_userAddress", "address", true], ["_isFrozen", "bool", true], ["_owner", "address", true]]);
    const tokens = ev("TokensFrozen", [["_userAddress", "address", true], ["_amount", "uint256", false]]);
    const recovery = ev("RecoverySuccess", [["_lostWallet", "address", true], ["_newWallet", "address", true], ["_investorOnchainID", "address", true]]);
    const fields = conditionFields([frozen, tokens, recovery, TRANSFER]);
    const to = fields.find((f) => f.name === "to");
    expect(to?.scope).toEqual(["Transfer"]);
    expect(conditionClause("to", "==", USDC, "address", to?.scope)).toBe(`Transfer(to == ${USDC})`);
    expect(fields.find((f) => f.name === "_userAddress")?.scope).toEqual(["AddressFrozen", "TokensFrozen"]);
    expect(conditionClause("_userAddress", "!=", USDC, "address", ["AddressFrozen", "TokensFrozen"])).toBe(
      `AddressFrozen(_userAddress != ${USDC}) and TokensFrozen(_userAddress != ${USDC})`,
    );
    // A value every ticked event has needs no scope.
    expect(conditionFields([TRANSFER, APPROVAL]).find((f) => f.name === "value")?.scope).toEqual([]);
    // ERC-20 and ERC-721 `Transfer` share a name: `value` cannot be scoped to ERC-20's alone.
    const nft = ev("Transfer", [["from", "address", true], ["to", "address", true], ["tokenId", "uint256", true]]);
    const both = conditionFields([TRANSFER, nft]);
    expect(both.map((f) => [f.name, f.scope])).toEqual([["from", []], ["to", []]]);
  });
});

describe("problems", () => {
  it("maps an engine location to a form field", () => {
    expect(problemField('listeners[0] ("usdc").where')).toEqual({ field: "where", index: null });
    expect(problemField('listeners[2] ("a.b").events[1]')).toEqual({ field: "events", index: 1 });
    expect(problemField('listeners[0] ("x").contracts[3]')).toEqual({ field: "contracts", index: 3 });
    expect(problemField('listeners[0] ("x").from_block')).toEqual({ field: "from_block", index: null });
    expect(problemField('listeners[0] ("x").network')).toEqual({ field: "network", index: null });
    expect(problemField('listeners[0] ("x").webhooks[0]')).toEqual({ field: "delivery", index: 0 });
    expect(problemField('listeners[0] ("x").abi')).toEqual({ field: "events", index: null });
    expect(problemField("name")).toEqual({ field: "name", index: null });
    expect(problemField('listeners[0] ("x")')).toEqual({ field: "form", index: null });
  });

  it("names contract lines and keys event problems by their entry", () => {
    const form = { ...emptyForm("base"), name: "x", wholeNetwork: false, contracts: `\n${USDC}\n\n${USDC}` };
    form.presets = ["erc20:Transfer", "ownable:OwnershipTransferred"];
    const built = buildEntry(form, PACKS);
    const placed = placeProblems(
      [
        { at: 'listeners[0] ("x").contracts[1]', message: "wrong checksum" },
        { at: 'listeners[0] ("x").events[1]', message: "bad" },
        { at: 'listeners[0] ("x").where', message: 'unknown field "valu"; known: from, to, value' },
      ],
      built,
    );
    expect(placed).toEqual([
      { field: "contracts", message: "Line 4: wrong checksum", eventKey: null },
      { field: "events", message: "bad", eventKey: "ownable" },
      { field: "where", message: 'unknown field "valu"; known: from, to, value', eventKey: null },
    ]);
  });

  it("prefers the form's own problems over the engine's for the same field", () => {
    const local = [{ field: "contracts" as const, message: "Line 1: bad", eventKey: null }];
    const remote = [
      { field: "contracts" as const, message: "not an address", eventKey: null },
      { field: "where" as const, message: "unknown field", eventKey: null },
      { field: "where" as const, message: "unknown field", eventKey: null },
    ];
    expect(mergeProblems(local, remote).map((p) => p.message)).toEqual(["Line 1: bad", "unknown field"]);
  });
});

describe("describeListener", () => {
  it("says what a listener watches and where it delivers", () => {
    expect(describeListener(entry())).toBe("Transfer on 1 contract · when value >= 1000 · pop-ups, ops-hook");
    expect(describeListener(entry({ events: ["erc20", `event ${CUSTOM}`], contracts: [], where: null, notify: false, webhooks: [] })))
      .toBe("all erc20 events, Minted on any contract · stored only");
  });
});
