// Mock of the configuration commands: stateful networks and listeners, presets, checks and settings.
import { whereProblems } from "./conditions";
import { createTargetsMock, type TargetsMock } from "./targets";
import type { AppError, Backend } from "../ipc";
import type { ConfigProblem } from "../bindings/ConfigProblem";
import type { ConfigView } from "../bindings/ConfigView";
import type { EndpointProbe } from "../bindings/EndpointProbe";
import type { EventInfo } from "../bindings/EventInfo";
import type { ListenerEntry } from "../bindings/ListenerEntry";
import type { PackInfo } from "../bindings/PackInfo";

export type ConfigMock = Pick<
  Backend,
  | "configView"
  | "saveNetwork"
  | "removeNetwork"
  | "saveListener"
  | "removeListener"
  | "setPaused"
  | "checkListener"
  | "testConnection"
  | "listenerActivity"
  | "eventPresets"
  | "abiEvents"
  | "signatureEvents"
  | "settings"
  | "setAutostart"
  | "saveNotifications"
  | "keychainStatus"
  | "storeSecret"
> &
  TargetsMock;

const TRANSFER = "Transfer(address indexed from, address indexed to, uint256 value)";
const APPROVAL = "Approval(address indexed owner, address indexed spender, uint256 value)";

const PACKS: [string, string, string[]][] = [
  ["erc20", "ERC-20 token", [TRANSFER, APPROVAL]],
  ["erc721", "ERC-721 NFT", [
    "Transfer(address indexed from, address indexed to, uint256 indexed tokenId)",
    "Approval(address indexed owner, address indexed approved, uint256 indexed tokenId)",
    "ApprovalForAll(address indexed owner, address indexed operator, bool approved)",
  ]],
  ["erc1155", "ERC-1155 multi-token", [
    "TransferSingle(address indexed operator, address indexed from, address indexed to, uint256 id, uint256 value)",
    "TransferBatch(address indexed operator, address indexed from, address indexed to, uint256[] ids, uint256[] values)",
    "ApprovalForAll(address indexed account, address indexed operator, bool approved)",
    "URI(string value, uint256 indexed id)",
  ]],
  ["ownable", "Ownable (OpenZeppelin)", ["OwnershipTransferred(address indexed previousOwner, address indexed newOwner)"]],
  ["access", "Access control roles (OpenZeppelin)", [
    "RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)",
    "RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender)",
  ]],
  ["erc3643", "ERC-3643 (T-REX) security token suite", [
    TRANSFER,
    APPROVAL,
    "AddressFrozen(address indexed _userAddress, bool indexed _isFrozen, address indexed _owner)",
    "TokensFrozen(address indexed _userAddress, uint256 _amount)",
    "TokensUnfrozen(address indexed _userAddress, uint256 _amount)",
    "RecoverySuccess(address indexed _lostWallet, address indexed _newWallet, address indexed _investorOnchainID)",
    "IdentityRegistered(address indexed _investorAddress, address indexed _identity)",
    "CountryUpdated(address indexed _investorAddress, uint16 indexed _country)",
  ]],
  ["erc1400", "ERC-1400 security token family", [
    "TransferByPartition(bytes32 indexed _fromPartition, address _operator, address indexed _from, address indexed _to, uint256 _value, bytes _data, bytes _operatorData)",
    "IssuedByPartition(bytes32 indexed _partition, address indexed _operator, address indexed _to, uint256 _value, bytes _data, bytes _operatorData)",
    "RedeemedByPartition(bytes32 indexed _partition, address indexed _operator, address indexed _from, uint256 _value, bytes _operatorData)",
    "DocumentUpdated(bytes32 indexed _name, string _uri, bytes32 _documentHash)",
    "AuthorizedOperator(address indexed _operator, address indexed _tokenHolder)",
  ]],
];

/** What "Import ABI file…" finds in the browser preview (there is no file dialog). */
const SAMPLE_ABI = [
  "Subscribed(address indexed investor, uint256 amount, uint256 shares)",
  "Redeemed(address indexed investor, uint256 shares, uint256 amount)",
  "NavUpdated(uint256 nav, uint64 asOf)",
];

const TYPE_RE = /^(address|bool|string|bytes([1-9]|[12]\d|3[0-2])?|u?int(8|16|24|32|40|48|56|64|72|80|88|96|104|112|120|128|136|144|152|160|168|176|184|192|200|208|216|224|232|240|248|256)?|\(.*\))(\[\d*\])*$/;

const fail = (code: AppError["code"], message: string): AppError => ({ code, message });

/** Splits at top-level commas (tuple types keep theirs). */
function splitTop(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")") depth--;
    else if (text[i] === "," && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (text.slice(start).trim() !== "") out.push(text.slice(start));
  return out.map((s) => s.trim());
}

function canonical(ty: string): string {
  return ty.replace(/\buint\b(?!\d)/g, "uint256").replace(/\bint\b(?!\d)/g, "int256");
}

/** A human-readable signature as the engine reads it (simplified). */
function parseSignature(spec: string): EventInfo {
  const body = spec.trim().replace(/;$/, "").replace(/^event\s+/, "").replace(/\s+anonymous$/, "");
  const m = /^([A-Za-z_$][\w$]*)\s*\((.*)\)$/.exec(body);
  if (!m) throw fail("abi.invalid", `"${spec.trim()}" is not an event signature: expected Name(type name, …)`);
  const params = splitTop(m[2]).map((p, i) => {
    const words = p.split(/\s+(?![^(]*\))/);
    const ty = canonical(words[0]);
    if (!TYPE_RE.test(ty)) throw fail("abi.invalid", `"${spec.trim()}": unknown type "${words[0]}" in parameter ${i + 1}`);
    const indexed = words[1] === "indexed";
    return { name: words[indexed ? 2 : 1] ?? "", ty, indexed };
  });
  const display = `${m[1]}(${params.map((p) => `${p.ty}${p.indexed ? " indexed" : ""}${p.name ? ` ${p.name}` : ""}`).join(", ")})`;
  return { name: m[1], signature: `${m[1]}(${params.map((p) => p.ty).join(",")})`, display, params };
}

const PACK_INFOS: PackInfo[] = PACKS.map(([id, title, sigs]) => ({ id, title, events: sigs.map(parseSignature) }));

/** The events one `events` entry stands for: `pack`, `pack:*`, `pack:Name`, or a signature. */
function resolveSpec(spec: string): EventInfo[] {
  if (spec.trim() === "") throw fail("abi.invalid", "an empty event entry");
  const colon = spec.indexOf(":");
  const paren = spec.indexOf("(");
  const packEntry = colon >= 0 ? paren < 0 || colon < paren : paren < 0 && !/\s/.test(spec.trim());
  if (packEntry) {
    const id = (colon >= 0 ? spec.slice(0, colon) : spec).trim();
    const event = colon >= 0 ? spec.slice(colon + 1).trim() : "*";
    const pack = PACK_INFOS.find((p) => p.id === id.toLowerCase());
    if (!pack) throw fail("abi.invalid", `"${spec}": unknown preset "${id}"; known: ${PACK_INFOS.map((p) => p.id).join(", ")}`);
    if (event === "" || event === "*") return pack.events;
    const found = pack.events.filter((e) => e.name === event);
    if (found.length === 0) {
      throw fail("abi.invalid", `"${spec}": ${pack.id} has no event "${event}"; it has ${pack.events.map((e) => e.name).join(", ")}`);
    }
    return found;
  }
  return [parseSignature(spec)];
}

function abiJsonEvents(text: string): EventInfo[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw fail("abi.invalid", `the ABI is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const items: unknown = Array.isArray(json) ? json : (json as { abi?: unknown } | null)?.abi;
  if (!Array.isArray(items)) throw fail("abi.invalid", "the ABI must be a JSON array, or an object with an \"abi\" array");
  type Input = { type?: string; name?: string; indexed?: boolean; components?: Input[] };
  type Item = { type?: string; name?: string; inputs?: Input[] } | null;
  const typeOf = (p: Input): string => {
    const t = p.type ?? "";
    return t.startsWith("tuple") ? `(${(p.components ?? []).map(typeOf).join(",")})${t.slice(5)}` : t;
  };
  return (items as Item[])
    .flatMap((i) => (i?.type === "event" ? [i] : []))
    .map((e) =>
      parseSignature(`${e.name ?? ""}(${(e.inputs ?? []).map((p) => `${typeOf(p)}${p.indexed ? " indexed" : ""} ${p.name ?? ""}`).join(", ")})`));
}

function addressProblem(s: string): string | null {
  if (!/^0x/i.test(s)) return `"${s}" is not an address: it must start with 0x`;
  if (!/^0x[0-9a-fA-F]*$/i.test(s)) return `"${s}" is not an address: it contains characters that are not hex digits`;
  if (s.length !== 42) return `"${s}" is not an address: it has ${s.length - 2} hex digits instead of 40`;
  return null;
}

function startProblem(v: ListenerEntry["from_block"]): string | null {
  if (v == null || v === "latest") return null;
  if (typeof v === "number") return v < 0 ? `${v} is negative; give a block number, "latest" or a date` : null;
  return /^\d{4}-\d{2}-\d{2}([T ][\d:]+(Z|[+-]\d{2}:\d{2})?)?$/.test(v)
    ? null
    : `"${v}" is not a block number, "latest" or a date like 2024-05-01 or 2024-05-01T12:00:00Z`;
}

const CHAINS: [RegExp, number, number][] = [
  [/base/i, 8453, 23_880_000],
  [/polygon|matic/i, 137, 65_120_000],
  [/arb/i, 42161, 290_400_000],
  [/sepolia/i, 11155111, 7_210_000],
  [/localhost|127\.0\.0\.1/, 31337, 120],
];

function probe(url: string): EndpointProbe {
  const endpoint = url.replace(/\/([A-Za-z0-9_-]{12,})$/, "/****");
  const latencyMs = 40 + Math.floor(Math.random() * 160);
  if (!/^(https?|wss?):\/\/[^\s/]+/i.test(url)) {
    return { endpoint, chainId: null, head: null, latencyMs: 0, error: `"${url}" is not a URL` };
  }
  if (/down/i.test(url)) {
    return { endpoint, chainId: null, head: null, latencyMs, error: "cannot connect: connection refused" };
  }
  const [, chainId, head] = CHAINS.find(([re]) => re.test(url)) ?? [/./, 1, 21_450_000];
  return { endpoint, chainId, head: head + Math.floor(Math.random() * 5), latencyMs, error: null };
}

export function createConfigMock(): ConfigMock {
  const home = "/home/you/.local/share/tokenwatch";
  const view: ConfigView = {
    path: `${home}/config.toml`,
    networks: [
      {
        name: "mainnet", chain_id: 1,
        rpc: ["https://eth-mainnet.example.com/v2/demo-key-0000", "https://rpc.ankr.com/eth"],
        rpc_keychain: [], confirmations: 12, explorer: "https://etherscan.io",
        poll_interval_ms: null, max_block_range: null, request_timeout_ms: null,
      },
      {
        name: "base", chain_id: 8453, rpc: ["https://mainnet.base.org", "wss://base.example.org/ws"],
        rpc_keychain: [], confirmations: "safe", explorer: "https://basescan.org",
        poll_interval_ms: null, max_block_range: 5000, request_timeout_ms: null,
      },
    ],
    listeners: [
      {
        name: "usdc-transfers", network: "mainnet", contracts: ["0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"],
        events: ["erc20:Transfer"], abi: null, where: "value >= 10000 tokens", from_block: 21_400_000, paused: false,
        webhooks: ["ops-hook"], rabbitmq: [], notify: true, announce_history: false,
      },
      {
        name: "weth-approvals", network: "mainnet", contracts: ["0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"],
        events: ["erc20:Approval"], abi: null, where: null, from_block: 21_440_000, paused: false,
        webhooks: [], rabbitmq: [], notify: false, announce_history: false,
      },
      {
        name: "base-usdc", network: "base", contracts: ["0x833589fcd6edb6e08f4c7c32d4f71b54bda02913"],
        events: ["erc20"], abi: null, where: null, from_block: "2025-01-15", paused: false,
        webhooks: ["ops-hook"], rabbitmq: [], notify: true, announce_history: false,
      },
    ],
    webhooks: ["ops-hook"],
    rabbitmq: [],
    notifications: { quiet_hours: "22:00-07:00", burst: 3, burst_window_s: 60 },
  };
  let autostart = false;

  const snapshot = () => Promise.resolve(structuredClone(view));
  const refuse = (message: string) => Promise.reject(fail("config.refused", message));
  const invalid = (ps: ConfigProblem[]) => Promise.reject(fail("config.invalid", problemsText(ps)));
  const problemsText = (ps: ConfigProblem[]) =>
    `the configuration has problems: ${ps.map((p) => `${p.at}: ${p.message}`).join("; ")}`;

  function listenerProblems(original: string | null, l: ListenerEntry): ConfigProblem[] {
    const name = l.name.trim();
    if (name === "") return [{ at: "name", message: "a listener needs a name" }];
    if (view.listeners.some((x) => x.name === name && x.name !== original)) {
      return [{ at: "name", message: `a listener named "${name}" already exists` }];
    }
    const index = original == null ? view.listeners.length : view.listeners.findIndex((x) => x.name === original);
    const at = `listeners[${index < 0 ? view.listeners.length : index}] ("${name}")`;
    const out: ConfigProblem[] = [];
    const add = (where: string, message: string) => out.push({ at: `${at}${where}`, message });
    if (!view.networks.some((n) => n.name === l.network)) {
      add(".network", `unknown network "${l.network}"; defined: ${view.networks.map((n) => n.name).join(", ")}`);
      return out;
    }
    l.webhooks.forEach((w, i) => view.webhooks.includes(w) || add(`.webhooks[${i}]`, `unknown webhook "${w}"; defined: ${view.webhooks.join(", ")}`));
    l.rabbitmq.forEach((r, i) => view.rabbitmq.includes(r) || add(`.rabbitmq[${i}]`, `unknown rabbitmq target "${r}"; defined: none`));
    l.contracts.forEach((c, i) => {
      const why = addressProblem(c);
      if (why) add(`.contracts[${i}]`, why);
    });
    const events: EventInfo[] = [];
    l.events.forEach((spec, i) => {
      try {
        events.push(...resolveSpec(spec));
      } catch (e) {
        add(`.events[${i}]`, (e as AppError).message);
      }
    });
    if (events.length === 0 && l.abi == null && !out.some((p) => p.at.includes(".events["))) {
      add(".events", 'name at least one event (a preset like "erc20:Transfer", a signature, or an abi file)');
    }
    if (l.where != null) for (const message of whereProblems(l.where, events)) add(".where", message);
    const start = startProblem(l.from_block);
    if (start) add(".from_block", start);
    return out;
  }

  return {
    ...createTargetsMock(view),
    configView: snapshot,
    saveNetwork(original, network) {
      const name = network.name.trim();
      if (name === "") return refuse("a network needs a name");
      if (view.networks.some((n) => n.name === name && n.name !== original)) return refuse(`a network named "${name}" already exists`);
      const at = `networks[${view.networks.length}] ("${name}")`;
      const problems: ConfigProblem[] = network.rpc.flatMap((u, i) =>
        /^(https?|wss?):\/\/[^\s/]+/i.test(u) ? [] : [{ at: `${at}.rpc[${i}]`, message: `"${u}" is not a URL (expected http://, https://, ws:// or wss://)` }]);
      if (network.rpc.length === 0) problems.push({ at: `${at}.rpc`, message: "give at least one RPC endpoint URL" });
      if (problems.length > 0) return invalid(problems);
      // The engine asks the endpoints for their chain id before saving.
      const probes = network.rpc.map(probe);
      const other = probes.find((p) => p.chainId != null && p.chainId !== network.chain_id);
      if (other) {
        return Promise.reject(fail("network.chain_mismatch",
          `The endpoint ${other.endpoint} answers chain id ${other.chainId}, not ${network.chain_id}: check the endpoint URL or the chain id.`));
      }
      const warning = probes.some((p) => p.chainId != null) ? null
        : `Saved without checking the chain id: no endpoint answered (${probes.map((p) => `${p.endpoint}: ${p.error}`).join("; ")}). It is checked when the network connects.`;
      const entry = { ...network, name };
      const i = view.networks.findIndex((n) => n.name === original);
      if (original != null && i < 0) return refuse(`there is no network named "${original}"`);
      if (i < 0) view.networks.push(entry);
      else {
        view.networks[i] = entry;
        for (const l of view.listeners) if (l.network === original) l.network = name;
      }
      return Promise.resolve({ config: structuredClone(view), warning });
    },
    removeNetwork(name) {
      const users = view.listeners.filter((l) => l.network === name).map((l) => l.name);
      if (users.length > 0) return refuse(`network "${name}" is used by listener(s) ${users.join(", ")}; remove or move them first`);
      view.networks = view.networks.filter((n) => n.name !== name);
      return snapshot();
    },
    saveListener(original, listener) {
      const problems = listenerProblems(original, listener);
      if (problems.length > 0) {
        return problems[0].at === "name" ? refuse(problems[0].message) : invalid(problems);
      }
      const entry = { ...listener, name: listener.name.trim() };
      const i = view.listeners.findIndex((l) => l.name === original);
      if (original != null && i < 0) return refuse(`there is no listener named "${original}"`);
      if (i < 0) view.listeners.push(entry);
      else view.listeners[i] = entry;
      return snapshot();
    },
    removeListener(name) {
      if (!view.listeners.some((l) => l.name === name)) return refuse(`there is no listener named "${name}"`);
      view.listeners = view.listeners.filter((l) => l.name !== name);
      return snapshot();
    },
    setPaused(name, paused) {
      const hits = view.listeners.filter((l) => name == null || l.name === name);
      if (name != null && hits.length === 0) return refuse(`there is no listener named "${name}"`);
      hits.forEach((l) => (l.paused = paused));
      return snapshot();
    },
    checkListener: (original, listener) => Promise.resolve(listenerProblems(original, listener)),
    listenerActivity: (listener) =>
      Promise.resolve({ activity: { blocks: 20, events: 40 * listener.events.length, seconds: 240 }, error: null }),
    testConnection: (rpc) => new Promise((resolve) => setTimeout(() => resolve(rpc.map(probe)), 350)),
    eventPresets: () => Promise.resolve(structuredClone(PACK_INFOS)),
    abiEvents(text) {
      try {
        return Promise.resolve(text == null ? SAMPLE_ABI.map(parseSignature) : abiJsonEvents(text));
      } catch (e) {
        return Promise.reject(e);
      }
    },
    signatureEvents(spec) {
      try {
        return Promise.resolve(resolveSpec(spec));
      } catch (e) {
        return Promise.reject(e);
      }
    },
    settings: () =>
      Promise.resolve({
        dataDir: home,
        configPath: view.path,
        database: `${home}/tokenwatch.db`,
        logDir: `${home}/logs`,
        autostart,
      }),
    setAutostart(enabled) {
      autostart = enabled;
      return Promise.resolve(autostart);
    },
    saveNotifications(n) {
      if (n.quiet_hours != null && !/^\d{2}:\d{2}-\d{2}:\d{2}$/.test(n.quiet_hours)) {
        return invalid([{ at: "notifications.quiet_hours", message: `"${n.quiet_hours}" is not like 22:00-07:00` }]);
      }
      if (n.burst === 0) return invalid([{ at: "notifications.burst", message: "must be at least 1" }]);
      view.notifications = { ...n };
      return snapshot();
    },
    // A browser has no OS keychain: say so as the app does without one.
    keychainStatus: () =>
      Promise.reject(fail("keychain.unavailable", "No OS keychain in the browser preview: secrets go in the configuration file or environment variables.")),
    storeSecret: () => Promise.reject(fail("keychain.unavailable", "No OS keychain in the browser preview.")),
  };
}
