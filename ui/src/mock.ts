// Browser-only stand-in for the engine (no Tauri): a fake status and a fake event every second.
import type { Backend, Unlisten } from "./ipc";
import { createConfigMock } from "./mock/config";
import { createHistoryMock } from "./mock/history";
import { createTokensMock } from "./mock/tokens";
import type { AttemptRow } from "./bindings/AttemptRow";
import type { EngineStatus } from "./bindings/EngineStatus";
import type { NetworkStatus } from "./bindings/NetworkStatus";
import type { StatusChange } from "./bindings/StatusChange";
import type { StoredEvent } from "./bindings/StoredEvent";

type ChainId = NetworkStatus["chainId"];

const HEX = "0123456789abcdef";
function randomHex(bytes: number): string {
  let s = "0x";
  for (let i = 0; i < bytes * 2; i++) s += HEX[Math.floor(Math.random() * 16)];
  return s;
}

const HOLDERS = Array.from({ length: 8 }, () => randomHex(20));
const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)];

const CONTRACTS: Record<string, { network: string; contract: string; event: string }> = {
  "usdc-transfers": { network: "mainnet", contract: "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48", event: "Transfer" },
  "weth-approvals": { network: "mainnet", contract: "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2", event: "Approval" },
  "base-usdc": { network: "base", contract: "0x833589fcd6edb6e08f4c7c32d4f71b54bda02913", event: "Transfer" },
};

/** Builds a self-contained mock engine that ticks once a second. */
/** A status history that fits the event: stored pending at its block time, then any change. */
function mockStatusHistory(e: StoredEvent): StatusChange[] {
  const at = (e.blockTime ?? Math.floor(Date.now() / 1000)) * 1000;
  const history: StatusChange[] = [{ status: "pending", atMs: at }];
  if (e.status !== "pending") history.push({ status: e.status, atMs: at + 24_000 });
  return history;
}

export function createMockBackend(): Backend {
  const now = () => Math.floor(Date.now() / 1000);
  let tick = 0;
  let nextId = 1;
  const heads: Record<string, number> = { mainnet: 21_450_000, base: 23_880_000 };
  const events: StoredEvent[] = [];
  const statusHandlers = new Set<(s: EngineStatus) => void>();
  const eventHandlers = new Set<(e: StoredEvent) => void>();
  const baseBackfillFrom = heads.base - 4_000;
  let baseCovered = baseBackfillFrom + 300;
  const counts: Record<string, number> = { "usdc-transfers": 0, "weth-approvals": 0, "base-usdc": 0 };
  let parked = 2;
  const attempts: AttemptRow[] = [];

  function makeEvent(listener: string, blockTime: number, blocksAgo = 0): StoredEvent {
    const c = CONTRACTS[listener];
    const block = (c.network === "base" ? baseCovered : heads.mainnet - 1) - blocksAgo;
    const [a, b] = [pick(HOLDERS), pick(HOLDERS)];
    const amount = String(BigInt(Math.floor(Math.random() * 5_000_000)) * 1000n + BigInt(nextId));
    const args: Record<string, unknown> =
      c.event === "Transfer" ? { from: a, to: b, value: amount } : { owner: a, spender: b, value: amount };
    counts[listener] += 1;
    return {
      id: nextId++,
      network: c.network,
      chainId: c.network === "base" ? 8453 : 1,
      blockNumber: block,
      blockHash: randomHex(32),
      blockTime,
      txHash: randomHex(32),
      logIndex: Math.floor(Math.random() * 200),
      contract: c.contract,
      event: c.event,
      signature: c.event === "Transfer" ? "Transfer(address,address,uint256)" : "Approval(address,address,uint256)",
      listener,
      listeners: [listener],
      status: c.network === "base" ? "confirmed" : "pending",
      args,
      argNames: Object.keys(args),
      decimals: c.network === "base" || c.event === "Transfer" ? 6 : 18,
      symbol: c.contract.startsWith("0xc02a") ? "WETH" : "USDC",
    };
  }

  function status(): EngineStatus {
    // Every 40 s, base has a rough 8 s so the Problem state is visible too.
    const baseDown = tick % 40 >= 32;
    const mk = (name: string, chainId: number, head: number, syncedTo: number): NetworkStatus => ({
      name,
      chainId: chainId as unknown as ChainId,
      head,
      syncedTo,
      lag: head - syncedTo,
      endpoints: [],
      error: null,
    });
    const mainnet = mk("mainnet", 1, heads.mainnet, heads.mainnet - 1);
    mainnet.endpoints = [
      { url: "https://eth-mainnet.example.com/v2/****", health: "ok", lastError: null },
      { url: "https://rpc.ankr.com/eth", health: "rateLimited", lastError: "429 Too Many Requests" },
    ];
    const base = mk("base", 8453, heads.base, baseCovered);
    base.endpoints = [
      {
        url: "wss://base.example.org/****",
        health: baseDown ? "down" : "ok",
        lastError: baseDown ? "connection refused" : null,
      },
    ];
    if (baseDown) base.error = "Cannot reach any endpoint for base; retrying every 5 seconds.";
    return {
      running: true,
      error: null,
      streams: [],
      subscriptions: [],
      networks: [mainnet, base],
      listeners: [
        { name: "usdc-transfers", network: "mainnet", phase: "live", fromBlock: 21_400_000, coveredTo: mainnet.syncedTo, events: counts["usdc-transfers"], undecodable: 0 },
        { name: "weth-approvals", network: "mainnet", phase: "live", fromBlock: 21_440_000, coveredTo: mainnet.syncedTo, events: counts["weth-approvals"], undecodable: 3 },
        {
          name: "base-usdc",
          network: "base",
          phase: baseCovered >= heads.base ? "live" : "backfilling",
          fromBlock: baseBackfillFrom,
          coveredTo: baseCovered,
          events: counts["base-usdc"],
          undecodable: 0,
        },
      ],
      targets: [
        { target: "desktop", queued: 0, parked: 0, held: 0, lastError: null, lastOkMs: Date.now() - 20_000, heldBack: null },
        {
          target: "webhook:ops",
          queued: baseDown ? 3 : 0,
          parked: parked,
          held: 0,
          lastError: baseDown ? "cannot connect to the receiver (Connection refused)" : null,
          lastOkMs: Date.now() - 5_000,
          heldBack: null,
        },
      ],
      eventsStored: events.length,
      warnings: [],
      database: "/home/user/.local/share/tokenwatch/tokenwatch.db",
    };
  }

  // Some history, oldest first.
  for (let i = 0; i < 40; i++) {
    const e = makeEvent(pick(Object.keys(CONTRACTS)), now() - (40 - i) * 45, (40 - i) * 4);
    e.status = "confirmed";
    events.push(e);
  }

  const emitEvent = (e: StoredEvent) => eventHandlers.forEach((h) => h({ ...e }));

  setInterval(() => {
    tick++;
    if (tick % 2 === 0) heads.mainnet++;
    if (tick % 2 === 1) heads.base++;
    baseCovered = Math.min(heads.base, baseCovered + 97);

    const fresh = makeEvent(pick(Object.keys(CONTRACTS)), now());
    events.push(fresh);
    emitEvent(fresh);
    const down = tick % 40 >= 32;
    attempts.unshift({
      deliveryId: fresh.id,
      target: "webhook:ops",
      listener: fresh.listener,
      key: `${String(fresh.chainId)}:${fresh.txHash}:${String(fresh.logIndex)}`,
      event: fresh.event,
      status: fresh.status,
      atMs: Date.now(),
      ok: !down,
      code: down ? null : 200,
      latencyMs: 3 + Math.floor(Math.random() * 20),
      error: down ? "cannot connect to the receiver (Connection refused)" : null,
      state: down ? "queued" : "delivered",
    });
    attempts.length = Math.min(attempts.length, 100);

    // Events six ticks old become confirmed; now and then one is orphaned by a "reorg".
    const old = events[events.length - 7];
    if (old && old.status === "pending") {
      old.status = Math.random() < 0.1 ? "removed" : "confirmed";
      emitEvent(old);
    }
    const s = status();
    statusHandlers.forEach((h) => h(s));
  }, 1000);

  const subscribe = <T>(set: Set<(v: T) => void>, handler: (v: T) => void): Promise<Unlisten> => {
    set.add(handler);
    return Promise.resolve(() => set.delete(handler));
  };

  return {
    engineStatus: () => Promise.resolve(status()),
    recentEvents: (limit) => Promise.resolve(events.slice(-limit).reverse().map((e) => ({ ...e }))),
    onStatus: (handler) => subscribe(statusHandlers, handler),
    onEvent: (handler) => subscribe(eventHandlers, handler),
    eventDetail: (id) => Promise.resolve(events.find((e) => e.id === id) ?? null),
    eventFull: (id) => {
      const e = events.find((x) => x.id === id);
      if (e == null) return Promise.resolve(null);
      const pad = (a: unknown) => `0x${"0".repeat(24)}${String(a).slice(2).toLowerCase()}`;
      return Promise.resolve({
        event: { ...e },
        argTypes: ["address", "address", "uint256"],
        topics: [randomHex(32), pad(Object.values(e.args)[0]), pad(Object.values(e.args)[1])],
        data: `0x${BigInt(String(e.args.value ?? 0)).toString(16).padStart(64, "0")}`,
        listeners: [e.listener],
        statusHistory: mockStatusHistory(e),
        announcements: [],
        explorer: e.network === "base" ? "https://basescan.org" : "https://etherscan.io",
      });
    },
    openExplorer: () => Promise.resolve(),
    onResync: () => Promise.resolve(() => undefined),
    onAlert: () => Promise.resolve(() => undefined),
    onConfigReloaded: () => Promise.resolve(() => undefined),
    deliveryAttempts: (limit) => Promise.resolve(attempts.slice(0, limit)),
    redeliver: () => {
      const n = parked;
      parked = 0;
      return Promise.resolve(n);
    },
    onOpenEvent: () => Promise.resolve(() => undefined),
    ...createHistoryMock(() => events),
    ...createConfigMock(),
    ...createTokensMock(),
  };
}
