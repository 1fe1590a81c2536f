// Entry point: lays out the window, connects to the engine and keeps every view current.
import { h } from "./dom";
import { connect, toAppError, type Backend } from "./ipc";
import { summarize } from "./summary";
import type { ScreenView } from "./screen";
import { createDashboard, type DashboardView } from "./views/dashboard";
import { createDeliveries } from "./views/deliveries";
import { createDetail } from "./views/detail";
import { createErrors } from "./views/errors";
import { createFeed } from "./views/feed";
import { createHeader } from "./views/header";
import { createHistory, type HistoryView } from "./views/history";
import { createListeners, type ListenersView } from "./views/listeners";
import { createNetworks, type NetworksView } from "./views/networks";
import { createSettings } from "./views/settings";
import type { EngineStatus } from "./bindings/EngineStatus";
import type { StoredEvent } from "./bindings/StoredEvent";

const RECENT_LIMIT = 200;
const RETRY_MS = 5000;

const header = createHeader();
const errors = createErrors();
let networks: NetworksView | null = null;
let listeners: ListenersView | null = null;
const detail = createDetail({
  eventFull: (id) => backendRef?.eventFull(id) ?? Promise.resolve(null),
  openExplorer: (base, path) => {
    void backendRef
      ?.openExplorer(base, path)
      .then(() => errors.clear("open_explorer"))
      .catch((err: unknown) => errors.show("open_explorer", toAppError(err)));
  },
  status: () => status,
  onError: (e) => errors.show("event_full", e),
});
let backendRef: Backend | null = null;
const feed = createFeed((e) => detail.open(e));
const deliveries = createDeliveries((target) => {
  void backendRef
    ?.redeliver(target)
    .then(() => errors.clear("redeliver"))
    .catch((err: unknown) => errors.show("redeliver", toAppError(err)));
});
const ATTEMPTS_LIMIT = 20;
let attemptsDue = 0;

/** Reloads the latest attempts at most every 2 seconds while statuses stream in. */
function refreshAttempts(): void {
  const now = Date.now();
  if (backendRef == null || now < attemptsDue) return;
  attemptsDue = now + 2000;
  backendRef
    .deliveryAttempts(ATTEMPTS_LIMIT)
    .then((rows) => deliveries.showAttempts(rows))
    .catch((err: unknown) => errors.show("delivery_attempts", toAppError(err)));
}

async function openEvent(backend: Backend, id: number | null): Promise<void> {
  if (id == null) return;
  try {
    const e = await backend.eventDetail(id);
    if (e) detail.open(e);
  } catch (err) {
    errors.show("event_detail", toAppError(err));
  }
}

let status: EngineStatus | null = null;
let statusError: string | null = null;

let dashboard: DashboardView | null = null;
let history: HistoryView | null = null;

function render(): void {
  header.update(summarize(status, statusError), status?.eventsStored ?? null, status?.database ?? null);
  dashboard?.update(status);
  networks?.update(status?.networks ?? []);
  listeners?.update(status?.listeners ?? [], status?.networks ?? []);
  deliveries.update(status?.targets ?? []);
  refreshAttempts();
}

function setStatus(next: EngineStatus): void {
  status = next;
  statusError = null;
  errors.clear("engine_status");
  render();
}

async function loadStatus(backend: Backend): Promise<void> {
  try {
    setStatus(await backend.engineStatus());
  } catch (err) {
    if (status != null) return; // a pushed status already arrived
    const e = toAppError(err);
    statusError = e.message;
    errors.show("engine_status", e);
    render();
    setTimeout(() => void loadStatus(backend), RETRY_MS);
  }
}

/** Fills the feed with recent history; events pushed meanwhile are held and applied after. */
function startFeed(backend: Backend): { onEvent: (e: StoredEvent) => void; load: () => Promise<void>; resync: () => Promise<void> } {
  let early: StoredEvent[] | null = [];
  const shown = new Set<number>();
  const onEvent = (e: StoredEvent) => {
    if (early) early.push(e);
    else {
      shown.add(e.id);
      feed.upsert(e);
      history?.onEvent(e);
    }
  };
  const load = async (): Promise<void> => {
    try {
      const recent = await backend.recentEvents(RECENT_LIMIT);
      errors.clear("recent_events");
      // Oldest first; on a retry, never let older history overwrite a pushed update.
      for (const e of [...recent].reverse()) if (!shown.has(e.id)) feed.upsert(e);
    } catch (err) {
      errors.show("recent_events", toAppError(err));
      setTimeout(() => void load(), RETRY_MS);
    }
    const held = early ?? [];
    early = null;
    held.forEach(onEvent);
  };
  /** Pushed events were missed: the newest stored ones are read again (shown rows update). */
  const resync = async (): Promise<void> => {
    try {
      const recent = await backend.recentEvents(RECENT_LIMIT);
      for (const e of [...recent].reverse()) feed.upsert(e);
      history?.resync();
    } catch (err) {
      errors.show("recent_events", toAppError(err));
    }
  };
  return { onEvent, load, resync };
}

/** The screens, in navigation order. */
const SCREENS = [
  ["dashboard", "Dashboard"],
  ["feed", "Live feed"],
  ["history", "History"],
  ["networks", "Networks"],
  ["listeners", "Listeners"],
  ["deliveries", "Deliveries"],
  ["settings", "Settings"],
] as const;
type ScreenId = (typeof SCREENS)[number][0];

/** Lays out the navigation and the screens; returns a function that shows one. */
function layout(root: HTMLElement, screens: Record<ScreenId, ScreenView>): (id: ScreenId) => void {
  const buttons = new Map<ScreenId, HTMLButtonElement>();
  const nav = h("nav", { class: "nav", "aria-label": "Screens" });
  const show = (id: ScreenId): void => {
    for (const [sid, view] of Object.entries(screens) as [ScreenId, ScreenView][]) {
      view.el.hidden = sid !== id;
      buttons.get(sid)?.setAttribute("aria-current", sid === id ? "page" : "false");
    }
    screens[id].shown?.();
  };
  for (const [id, title] of SCREENS) {
    const b = h("button", { type: "button", class: "nav-item", "data-screen": id }, title);
    b.addEventListener("click", () => show(id));
    buttons.set(id, b);
    nav.append(b);
  }
  const main = h("main", { class: "screens" }, ...SCREENS.map(([id]) => screens[id].el));
  for (const [id] of SCREENS) screens[id].el.dataset.screenId = id;
  root.replaceChildren(header.el, errors.el, h("div", { class: "shell" }, nav, main), detail.el);
  return show;
}

async function start(): Promise<void> {
  const root = document.getElementById("app");
  if (!root) return;
  const backend = await connect();
  backendRef = backend;
  dashboard = createDashboard(backend, errors);
  history = createHistory(backend, (e) => detail.open(e), errors);
  networks = createNetworks(backend, errors);
  listeners = createListeners(backend, errors);
  const show = layout(root, {
    dashboard,
    feed: { el: feed.el },
    history,
    networks,
    listeners,
    deliveries,
    settings: createSettings(backend, errors),
  });
  show("dashboard");
  render();

  const events = startFeed(backend);
  // Subscribe before loading so nothing committed in between is missed.
  try {
    await backend.onEvent(events.onEvent);
    await backend.onStatus(setStatus);
    await backend.onResync(() => void events.resync());
    await backend.onAlert((message) => errors.show("engine_alert", { kind: "engine", message }));
    await backend.onOpenEvent((id) => {
      if (id == null) show("feed");
      void openEvent(backend, id);
    });
  } catch (err) {
    errors.show("subscribe", toAppError(err));
  }
  // History, the screen most opened, loads with the rest (after subscribing, so that
  // nothing committed in between is missed).
  history?.warm();
  await Promise.all([loadStatus(backend), events.load()]);
}

void start();
