// Browser mock of the Tokens screen and the address book: two tokens (one complete and agreeing
// with the chain, with compliance registers; one partial), a handful of holders, and labels kept in memory.
import type { Backend } from "../ipc";
import type { AddressLabel } from "../bindings/AddressLabel";
import type { ComplianceRegisters } from "../bindings/ComplianceRegisters";
import type { HolderRow } from "../bindings/HolderRow";
import type { TokenState } from "../bindings/TokenState";

const ZERO = "0x0000000000000000000000000000000000000000";
const HOLDERS = ["0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"];
const BALANCES = ["600000000000", "300000000000", "100000000000"];

const TOKENS: TokenState[] = [
  {
    network: "mainnet", chainId: 1, token: "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", symbol: "USDC", decimals: 6,
    holders: 3, supply: "1000000000000", minted: "1200000000000", burned: "200000000000", transfers: 42,
    completeFromBlock: 0, coveredToBlock: 21_449_999, createdBlock: 6_082_465, complete: true,
    reconciledBlock: 21_449_999, reconciliation: "ok", reconciliationNote: null, updating: false, registersOnly: false,
  },
  {
    network: "base", chainId: 8453, token: "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913", symbol: "USDC", decimals: 6,
    holders: 2, supply: "-5000000", minted: "0", burned: "5000000", transfers: 7,
    completeFromBlock: 23_876_000, coveredToBlock: 23_880_000, createdBlock: null, complete: false,
    reconciledBlock: null, reconciliation: "unchecked", reconciliationNote: null, updating: false, registersOnly: false,
  },
];

type TokenMock = Pick<Backend, "tokenStates" | "checkTokens" | "topHolders" | "supplySeries" | "holderSeries" | "addressHistory" | "tokenRegisters" | "holderRegister" | "exportRegister" | "labels" | "setLabel" | "importLabels" | "exportLabels">;

const REGISTRY = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";

/** The first token's registers: a frozen wallet, a partly frozen one, an agent, paused, a recovery,
 * two identities (one with a country) and balances in two partitions (one named by bytes that are not text). */
function registers(start: number): ComplianceRegisters {
  const t = TOKENS[0];
  const change = (eventId: number, block: number, event: string, value: string) =>
    ({ eventId, block, time: start + eventId * 3_600, tx: `0x${"ab".repeat(32)}`, event, value });
  return {
    network: t.network, chainId: t.chainId, token: t.token, events: 7, registry: REGISTRY, identityEvents: 3, partitionEvents: 3,
    entries: [
      { register: "frozen_wallet", address: HOLDERS[2], value: "true", sinceBlock: 21_100_003, sinceTime: start + 3 * 3_600,
        history: [change(1, 21_100_001, "AddressFrozen", "true"), change(2, 21_100_002, "AddressFrozen", "false"), change(3, 21_100_003, "AddressFrozen", "true")] },
      { register: "frozen_amount", address: HOLDERS[1], value: "250000000", sinceBlock: 21_100_005, sinceTime: start + 5 * 3_600,
        history: [change(4, 21_100_004, "TokensFrozen", "+300000000"), change(5, 21_100_005, "TokensUnfrozen", "-50000000")] },
      { register: "agent", address: HOLDERS[0], value: "true", sinceBlock: 21_000_000, sinceTime: start, history: [change(0, 21_000_000, "AgentAdded", "added")] },
      { register: "paused", address: HOLDERS[0], value: "true", sinceBlock: 21_100_006, sinceTime: start + 6 * 3_600, history: [change(6, 21_100_006, "Paused", "true")] },
      { register: "recovery", address: "0x90F79bf6EB2c4f870365E785982E1f101E93b906", value: HOLDERS[1], sinceBlock: 21_100_007, sinceTime: start + 7 * 3_600,
        history: [change(7, 21_100_007, "RecoverySuccess", HOLDERS[1])] },
      { register: "identity", address: HOLDERS[0], value: "0x976EA74026E726554dB657fA54763abd0C3a0aa9", country: 756, countryName: "Switzerland",
        sinceBlock: 21_000_002, sinceTime: start + 2 * 3_600,
        history: [change(8, 21_000_001, "IdentityRegistered", "0x976EA74026E726554dB657fA54763abd0C3a0aa9"), change(9, 21_000_002, "CountryUpdated", "Switzerland (756)")] },
      { register: "identity", address: HOLDERS[1], value: "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955", sinceBlock: 21_000_003, sinceTime: start + 3 * 3_600,
        history: [change(10, 21_000_003, "IdentityRegistered", "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955")] },
      { register: "partition", address: HOLDERS[0], value: "400000000000", partition: `0x${"01".repeat(32)}`, sinceBlock: 21_000_004, sinceTime: start + 4 * 3_600,
        history: [change(11, 21_000_004, "IssuedByPartition", "+400000000000")] },
      { register: "partition", address: HOLDERS[1], value: "200000000000", partition: "class A", sinceBlock: 21_000_006, sinceTime: start + 6 * 3_600,
        history: [change(12, 21_000_005, "IssuedByPartition", "+250000000000"), change(13, 21_000_006, "TransferByPartition", "-50000000000")] },
    ],
  };
}

export function createTokensMock(): TokenMock {
  let labels: AddressLabel[] = [{ address: ZERO, label: "mint / burn", network: null }];
  const rows = (): HolderRow[] => HOLDERS.map((address, i) => ({ address, balance: BALANCES[i], share: ["0.6", "0.3", "0.1"][i] }));
  const start = Math.floor(Date.now() / 1000) - 30 * 86_400;
  return {
    tokenStates: () => Promise.resolve(TOKENS.map((t) => ({ ...t }))),
    checkTokens: () => Promise.resolve(),
    topHolders: (_n, _t, limit) => Promise.resolve(rows().slice(0, limit)),
    supplySeries: () => Promise.resolve({
      bucketSecs: 86_400,
      points: [
        { time: start, lastBlock: 21_000_000, minted: "1200000000000", burned: "0", supply: "1200000000000", mints: 3, burns: 0 },
        { time: start + 20 * 86_400, lastBlock: 21_300_000, minted: "0", burned: "200000000000", supply: "1000000000000", mints: 0, burns: 1 },
      ],
    }),
    holderSeries: () => Promise.resolve({
      bucketSecs: 86_400,
      points: [
        { time: start, lastBlock: 21_000_000, holders: 2 },
        { time: start + 10 * 86_400, lastBlock: 21_100_000, holders: 5 },
        { time: start + 20 * 86_400, lastBlock: 21_300_000, holders: 3 },
      ],
    }),
    addressHistory: (_n, _t, holder) => Promise.resolve({
      address: holder, balance: "600000000000", transfers: 2,
      points: [
        { eventId: 1, block: 21_000_000, time: start, change: "700000000000", balance: "700000000000" },
        { eventId: 2, block: 21_300_000, time: start + 20 * 86_400, change: "-100000000000", balance: "600000000000" },
      ],
    }),
    tokenRegisters: (network, token) =>
      Promise.resolve(network === TOKENS[0].network && token.toLowerCase() === TOKENS[0].token.toLowerCase() ? registers(start) : null),
    holderRegister: (_n, _t, block) => Promise.resolve({ block: block ?? 21_449_999, holders: 3, rows: rows() }),
    exportRegister: () => Promise.resolve({ path: "/tmp/holders.csv", rows: 3 }),
    labels: () => Promise.resolve(labels.map((l) => ({ ...l }))),
    setLabel: (network, address, label) => {
      if (/\p{Cc}/u.test(label)) return Promise.reject({ code: "label.invalid", message: "the label has a control character (a line break, a tab…)" });
      if (/[\u202A-\u202E\u2066-\u2069]/.test(label)) return Promise.reject({ code: "label.invalid", message: "the label has a character that reorders text" });
      labels = labels.filter((l) => !(l.network === network && l.address.toLowerCase() === address.toLowerCase()));
      if (label.trim() !== "") labels.push({ address, label: label.trim(), network });
      return Promise.resolve(labels.map((l) => ({ ...l })));
    },
    importLabels: () => Promise.resolve(null),
    exportLabels: () => Promise.resolve(null),
  };
}
