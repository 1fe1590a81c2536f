// The engine's IPC surface: commands and pushed events, from Tauri or, in a plain browser, a mock.
import { invoke as tauriInvoke, type InvokeArgs } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { AppEvent, Command } from "./bindings/ipc-names";
import type { ActivityReading } from "./bindings/ActivityReading";
import type { AddressHistory } from "./bindings/AddressHistory";
import type { AddressLabel } from "./bindings/AddressLabel";
import type { AttemptRow } from "./bindings/AttemptRow";
import type { ConfigProblem } from "./bindings/ConfigProblem";
import type { ConfigReload } from "./bindings/ConfigReload";
import type { ConfigView } from "./bindings/ConfigView";
import type { Dashboard } from "./bindings/Dashboard";
import type { EndpointProbe } from "./bindings/EndpointProbe";
import type { EngineStatus } from "./bindings/EngineStatus";
import type { ErrorCode } from "./bindings/ErrorCode";
import type { EventDetail } from "./bindings/EventDetail";
import type { EventFilter } from "./bindings/EventFilter";
import type { EventInfo } from "./bindings/EventInfo";
import type { ExportDone } from "./bindings/ExportDone";
import type { ExportProgress } from "./bindings/ExportProgress";
import type { HistoryIndex } from "./bindings/HistoryIndex";
import type { HistorySort } from "./bindings/HistorySort";
import type { HolderRow } from "./bindings/HolderRow";
import type { ListenerEntry } from "./bindings/ListenerEntry";
import type { NetworkEntry } from "./bindings/NetworkEntry";
import type { NotificationsEntry } from "./bindings/NotificationsEntry";
import type { PackInfo } from "./bindings/PackInfo";
import type { RegisterPage } from "./bindings/RegisterPage";
import type { SavedNetwork } from "./bindings/SavedNetwork";
import type { Settings } from "./bindings/Settings";
import type { StoredEvent } from "./bindings/StoredEvent";
import type { SupplySeries } from "./bindings/SupplySeries";
import type { TargetForm } from "./bindings/TargetForm";
import type { TargetRef } from "./bindings/TargetRef";
import type { TargetView } from "./bindings/TargetView";
import type { TestReply } from "./bindings/TestReply";
import type { HolderSeries } from "./bindings/HolderSeries";
import type { TokenState } from "./bindings/TokenState";
import type { ComplianceRegisters } from "./bindings/ComplianceRegisters";

/**
 * What a failed command rejects with (bindings/AppError): `message` in plain words and a
 * stable `code` to branch on. `unknown`: a rejection that is not an AppError;
 * `engine.alert`: an alert the engine pushed, shown like an error.
 */
export interface AppError {
  code: ErrorCode | "unknown" | "engine.alert";
  message: string;
}

export type Unlisten = () => void;

export interface Backend {
  /** `engine_status` */
  engineStatus(): Promise<EngineStatus>;
  /** `recent_events`, newest first. */
  recentEvents(limit: number): Promise<StoredEvent[]>;
  /** `engine-status`: the whole status, pushed on every change. */
  onStatus(handler: (status: EngineStatus) => void): Promise<Unlisten>;
  /** `engine-event`: a newly committed event, or a status change of one (same `id`). */
  onEvent(handler: (event: StoredEvent) => void): Promise<Unlisten>;
  /** `event_detail`: one stored event, or null. */
  eventDetail(id: number): Promise<StoredEvent | null>;
  /** `event_full`: the event with its raw log, types, listeners, announcements and explorer. */
  eventFull(id: number): Promise<EventDetail | null>;
  /** `delivery_attempts`, newest first. */
  deliveryAttempts(limit: number): Promise<AttemptRow[]>;
  /** `redeliver`: queues parked deliveries of a target (all when null) again; returns how many. */
  redeliver(target: string | null): Promise<number>;
  /** `open_explorer`: `base/path` (`tx/0x…`, `address/0x…`, `block/N`) in the user's browser. */
  openExplorer(base: string, path: string): Promise<void>;
  /** `engine-resync`: the window missed pushed events (a burst): reload what it shows. */
  onResync(handler: () => void): Promise<Unlisten>;
  /** `engine-alert`: something the user must know (a reorg deeper than the confirmations). */
  onAlert(handler: (message: string) => void): Promise<Unlisten>;
  /** `open-event`: a notification was clicked (null: a summary, show the feed). */
  onOpenEvent(handler: (id: number | null) => void): Promise<Unlisten>;
  /** `config-reloaded`: the file was edited outside the window; what was applied, or why not. */
  onConfigReloaded(handler: (reload: ConfigReload) => void): Promise<Unlisten>;

  // History, dashboard, export
  /**
   * `history_page`: rows offset..offset+limit (limit <= 1000) of the filtered history; with
   * `anchor` (row offset's key from `historyIndex`) it starts there without counting rows to it.
   */
  historyPage(
    filter: EventFilter,
    sort: HistorySort,
    offset: number,
    limit: number,
    anchor?: number | null,
  ): Promise<StoredEvent[]>;
  /** `history_index`: the count, and (block orders) the key of every `every`-th row. */
  historyIndex(filter: EventFilter, sort: HistorySort, every: number): Promise<HistoryIndex>;
  /** `dashboard`: events per bucket per listener over the window before the newest event. */
  dashboard(windowSecs: number, bucketSecs: number): Promise<Dashboard>;
  /** `export_csv`: native save dialog, then the filtered history as CSV; null if cancelled. */
  /** The filtered History as CSV, rows in `sort` order (History's). */
  exportCsv(filter: EventFilter, sort: HistorySort): Promise<ExportDone | null>;
  /** `export-progress`: rows written so far during an export. */
  onExportProgress(handler: (p: ExportProgress) => void): Promise<Unlisten>;

  // Tokens and the address book
  /** `token_states`: every token with stored transfers. */
  tokenStates(): Promise<TokenState[]>;
  /** `check_tokens`: the running engine checks every token against the chain now. */
  checkTokens(): Promise<void>;
  /** `top_holders`: the `limit` largest holders now, with their share of the supply. */
  topHolders(network: string, token: string, limit: number): Promise<HolderRow[]>;
  /** `supply_series`: mints, burns and the supply in about `buckets` time buckets. */
  supplySeries(network: string, token: string, buckets: number): Promise<SupplySeries>;
  /** `holder_series`: the number of holders in about `buckets` time buckets. */
  holderSeries(network: string, token: string, buckets: number): Promise<HolderSeries>;
  /** `address_history`: an address's balance in the token after each of its transfers. */
  addressHistory(network: string, token: string, holder: string): Promise<AddressHistory>;
  /** `token_registers`: a token's registers (ERC-3643, identities, ERC-1400 partitions); null when the network has nothing of it. */
  tokenRegisters(network: string, token: string): Promise<ComplianceRegisters | null>;
  /** `holder_register`: the register at a block, at a time (seconds), or (both null) at the newest covered block. */
  holderRegister(network: string, token: string, block: number | null, time: number | null): Promise<RegisterPage>;
  /** `export_register`: native save dialog, then the register as CSV; null if cancelled. */
  exportRegister(network: string, token: string, block: number | null): Promise<ExportDone | null>;
  /** `labels`: the address book. */
  labels(): Promise<AddressLabel[]>;
  /** `set_label`: on a network (null: all); an empty label removes it. Answers with the whole book. */
  setLabel(network: string | null, address: string, label: string): Promise<AddressLabel[]>;
  /** `import_labels`: a CSV from a native dialog, all rows or none; null if cancelled. */
  importLabels(): Promise<number | null>;
  /** `export_labels`: native save dialog, then the address book as CSV; null if cancelled. */
  exportLabels(): Promise<ExportDone | null>;

  // Networks and listeners (each save validates, writes the config file and applies it live)
  /** `config_view`: networks, listeners, delivery target names, notification preferences. */
  configView(): Promise<ConfigView>;
  /**
   * `save_network`: add (original null) or replace/rename the network named `original`. Refused
   * (`network.chain_mismatch`) when an endpoint serves another chain; `warning` when none answered.
   */
  saveNetwork(original: string | null, network: NetworkEntry): Promise<SavedNetwork>;
  /** `remove_network`: refused (`config.refused`) while listeners use it. */
  removeNetwork(name: string): Promise<ConfigView>;
  /** `save_listener`: add (original null) or replace the listener named `original`. */
  saveListener(original: string | null, listener: ListenerEntry): Promise<ConfigView>;
  /** `remove_listener`: its stored events stay in History. */
  removeListener(name: string): Promise<ConfigView>;
  /** `set_paused`: one listener, or all when name is null. */
  setPaused(name: string | null, paused: boolean): Promise<ConfigView>;
  /** `check_listener`: the problems this listener would have if saved (empty: fine). */
  checkListener(original: string | null, listener: ListenerEntry): Promise<ConfigProblem[]>;
  /** `listener_activity`: the listener's events from every contract in its network's latest blocks. */
  listenerActivity(listener: ListenerEntry): Promise<ActivityReading>;
  /** `test_connection`: chain id, head and latency per endpoint URL. */
  testConnection(rpc: string[]): Promise<EndpointProbe[]>;
  /** `event_presets`: the preset packs with their events. */
  eventPresets(): Promise<PackInfo[]>;
  /** `abi_events`: events of a pasted ABI, or of a file from a native dialog when text is null (null: cancelled). */
  abiEvents(text: string | null): Promise<EventInfo[] | null>;
  /** `signature_events`: the events a typed signature or `pack:Event` stands for. */
  signatureEvents(spec: string): Promise<EventInfo[]>;

  // Delivery targets (saved to the config file and applied live; secrets go to the keychain)
  /** `target_list`: webhooks and RabbitMQ targets, with where their secrets are kept (never the secrets). */
  targetList(): Promise<TargetView[]>;
  /** `save_target`: add (original null) or replace/rename the target `original` names. */
  saveTarget(original: TargetRef | null, target: TargetForm): Promise<TargetView[]>;
  /** `remove_target`: refused (`config.refused`) while listeners deliver to it. */
  removeTarget(target: TargetRef): Promise<TargetView[]>;
  /** `test_target`: one test message to the target as the form describes it; nothing is saved. */
  testTarget(original: TargetRef | null, target: TargetForm): Promise<TestReply>;

  // Settings
  /** `settings`: data directory, config, database, logs, start with the system. */
  settings(): Promise<Settings>;
  /** `set_autostart`: returns the new state. */
  setAutostart(enabled: boolean): Promise<boolean>;
  /** `save_notifications`: quiet hours and burst policy. */
  saveNotifications(notifications: NotificationsEntry): Promise<ConfigView>;
  /** `keychain_status`: resolves when the OS keychain can keep secrets; rejects (`keychain.unavailable`, `keychain.locked`) saying why not. */
  keychainStatus(): Promise<void>;
  /** `store_secret`: keeps `value` in the OS keychain under `name` (for `*_keychain = "name"`). */
  storeSecret(name: string, value: string): Promise<void>;
}

/** Normalises anything a command may reject with into an AppError. */
export function toAppError(err: unknown): AppError {
  if (err != null && typeof err === "object") {
    const o = err as Record<string, unknown>;
    if (typeof o.message === "string") {
      const code = typeof o.code === "string" ? (o.code as ErrorCode) : "unknown";
      return { code, message: o.message };
    }
  }
  if (typeof err === "string") return { code: "unknown", message: err };
  return { code: "unknown", message: "Something went wrong." };
}

/** A command's timing, noted when a benchmark sets `window.__tokenwatchIpcTrace` to an array. */
interface IpcTiming {
  cmd: Command;
  start: number;
  ms: number;
}

/** Runs a command by its name in the generated list (src-tauri/src/ipc.rs). */
function invoke<T>(cmd: Command, args?: InvokeArgs): Promise<T> {
  const answer = tauriInvoke<T>(cmd, args);
  const trace = (window as { __tokenwatchIpcTrace?: IpcTiming[] }).__tokenwatchIpcTrace;
  if (Array.isArray(trace)) {
    const start = performance.now();
    const done = (): void => void trace.push({ cmd, start, ms: performance.now() - start });
    answer.then(done, done);
  }
  return answer;
}

/** Subscribes to an event by its name in the generated list; the handler gets its payload. */
function on<T>(event: AppEvent, handler: (payload: T) => void): Promise<Unlisten> {
  return listen<T>(event, (e) => handler(e.payload));
}

const tauriBackend: Backend = {
  engineStatus: () => invoke<EngineStatus>("engine_status"),
  recentEvents: (limit) => invoke<StoredEvent[]>("recent_events", { limit }),
  onStatus: (handler) => on<EngineStatus>("engine-status", handler),
  onEvent: (handler) => on<StoredEvent>("engine-event", handler),
  eventDetail: (id) => invoke<StoredEvent | null>("event_detail", { id }),
  eventFull: (id) => invoke<EventDetail | null>("event_full", { id }),
  deliveryAttempts: (limit) => invoke<AttemptRow[]>("delivery_attempts", { limit }),
  redeliver: (target) => invoke<number>("redeliver", { target }),
  openExplorer: (base, path) => invoke<null>("open_explorer", { base, path }).then(() => undefined),
  onResync: (handler) => on<number>("engine-resync", () => handler()),
  onAlert: (handler) => on<string>("engine-alert", handler),
  onOpenEvent: (handler) => on<number | null>("open-event", handler),
  onConfigReloaded: (handler) => on<ConfigReload>("config-reloaded", handler),
  historyPage: (filter, sort, offset, limit, anchor = null) =>
    invoke<StoredEvent[]>("history_page", { filter, sort, offset, limit, anchor }),
  historyIndex: (filter, sort, every) => invoke<HistoryIndex>("history_index", { filter, sort, every }),
  dashboard: (windowSecs, bucketSecs) => invoke<Dashboard>("dashboard", { windowSecs, bucketSecs }),
  exportCsv: (filter, sort) => invoke<ExportDone | null>("export_csv", { filter, sort }),
  onExportProgress: (handler) => on<ExportProgress>("export-progress", handler),
  tokenStates: () => invoke<TokenState[]>("token_states"),
  checkTokens: () => invoke<void>("check_tokens"),
  topHolders: (network, token, limit) => invoke<HolderRow[]>("top_holders", { network, token, limit }),
  supplySeries: (network, token, buckets) => invoke<SupplySeries>("supply_series", { network, token, buckets }),
  holderSeries: (network, token, buckets) => invoke<HolderSeries>("holder_series", { network, token, buckets }),
  addressHistory: (network, token, holder) => invoke<AddressHistory>("address_history", { network, token, holder }),
  tokenRegisters: (network, token) => invoke<ComplianceRegisters | null>("token_registers", { network, token }),
  holderRegister: (network, token, block, time) => invoke<RegisterPage>("holder_register", { network, token, block, time }),
  exportRegister: (network, token, block) => invoke<ExportDone | null>("export_register", { network, token, block }),
  labels: () => invoke<AddressLabel[]>("labels"),
  setLabel: (network, address, label) => invoke<AddressLabel[]>("set_label", { network, address, label }),
  importLabels: () => invoke<number | null>("import_labels"),
  exportLabels: () => invoke<ExportDone | null>("export_labels"),
  configView: () => invoke<ConfigView>("config_view"),
  saveNetwork: (original, network) => invoke<SavedNetwork>("save_network", { original, network }),
  removeNetwork: (name) => invoke<ConfigView>("remove_network", { name }),
  saveListener: (original, listener) => invoke<ConfigView>("save_listener", { original, listener }),
  removeListener: (name) => invoke<ConfigView>("remove_listener", { name }),
  setPaused: (name, paused) => invoke<ConfigView>("set_paused", { name, paused }),
  checkListener: (original, listener) => invoke<ConfigProblem[]>("check_listener", { original, listener }),
  listenerActivity: (listener) => invoke<ActivityReading>("listener_activity", { listener }),
  testConnection: (rpc) => invoke<EndpointProbe[]>("test_connection", { rpc }),
  eventPresets: () => invoke<PackInfo[]>("event_presets"),
  abiEvents: (text) => invoke<EventInfo[] | null>("abi_events", { text }),
  signatureEvents: (spec) => invoke<EventInfo[]>("signature_events", { spec }),
  targetList: () => invoke<TargetView[]>("target_list"),
  saveTarget: (original, target) => invoke<TargetView[]>("save_target", { original, target }),
  removeTarget: (target) => invoke<TargetView[]>("remove_target", { target }),
  testTarget: (original, target) => invoke<TestReply>("test_target", { original, target }),
  settings: () => invoke<Settings>("settings"),
  setAutostart: (enabled) => invoke<boolean>("set_autostart", { enabled }),
  saveNotifications: (notifications) => invoke<ConfigView>("save_notifications", { notifications }),
  keychainStatus: () => invoke<null>("keychain_status").then(() => undefined),
  storeSecret: (name, value) => invoke<null>("store_secret", { name, value }).then(() => undefined),
};

/** True inside the Tauri webview. */
export function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

/** The real backend in the app; the mock (loaded only then) in a plain browser. */
export async function connect(): Promise<Backend> {
  if (inTauri()) return tauriBackend;
  const { createMockBackend } = await import("./mock");
  return createMockBackend();
}
