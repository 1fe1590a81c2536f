// Entry point: lays out the window, connects to the engine and keeps every view current.
import { h } from "./dom";
import { connect, toAppError, type AppError, type Backend } from "./ipc";
import { summarize } from "./summary";
import type { ScreenView } from "./screen";
import { createDashboard, type DashboardView } from "./views/dashboard";
import { createDeliveries, type DeliveriesView } from "./views/deliveries";
import { createDetail, type DetailView } from "./views/detail";
import { createErrors, type ErrorsView } from "./views/errors";
import { createFeed, type FeedView } from "./views/feed";
import { createHeader, type HeaderView } from "./views/header";
import { createHistory, type HistoryView } from "./views/history";
import { createListeners, type ListenersView } from "./views/listeners";
import { createNetworks, type NetworksView } from "./views/networks";
import { createSettings } from "./views/settings";
import { createAddressBook } from "./views/address-book";
import { createLabelDialog, type LabelDialog } from "./views/label-dialog";
import { createTargets, type TargetsView } from "./views/targets";
import { createTokens, type TokensView } from "./views/tokens";
import { createNextStep, type NextStepView } from "./views/next-step";
import type { StepAction } from "./next-step";
import { onBookChange } from "./labels";
import type { EngineStatus } from "./bindings/EngineStatus";
import type { StoredEvent } from "./bindings/StoredEvent";

const RECENT_LIMIT = 200;
const RETRY_MS = 5000;
const ATTEMPTS_LIMIT = 20;
/** The latest delivery attempts are read at most this often while statuses stream in. */
const ATTEMPTS_EVERY_MS = 2000;

/** The screens made once the engine is connected (they talk to it from the start). */
interface ConnectedViews {
  dashboard: DashboardView;
  history: HistoryView;
  networks: NetworksView;
  listeners: ListenersView;
  tokens: TokensView;
  targets: TargetsView;
  labels: LabelDialog;
  /** The first-run prompts of the screens that stay empty without networks and listeners. */
  steps: NextStepView[];
}

/** Everything the window keeps: changed only through the functions below. */
interface AppState {
  /** Null until connected. */
  backend: Backend | null;
  status: EngineStatus | null;
  /** Why the status cannot be read, until one arrives. */
  statusError: string | null;
  /** When the latest delivery attempts may be read again (ms). */
  attemptsDue: number;
  header: HeaderView;
  errors: ErrorsView;
  detail: DetailView;
  feed: FeedView;
  deliveries: DeliveriesView;
  connected: ConnectedViews | null;
  /** Shows a screen, once laid out. */
  show: ((id: ScreenId) => void) | null;
}

const app: AppState = {
  backend: null,
  status: null,
  statusError: null,
  attemptsDue: 0,
  header: createHeader(),
  errors: createErrors(),
  detail: createDetail({
    eventFull: (id) => app.backend?.eventFull(id) ?? Promise.resolve(null),
    openExplorer: (base, path) => {
      void app.backend
        ?.openExplorer(base, path)
        .then(() => app.errors.clear("open_explorer"))
        .catch((err: unknown) => app.errors.show("open_explorer", toAppError(err)));
    },
    status: () => app.status,
    onError: (e) => app.errors.show("event_full", e),
    addressActions: (address, e) => addressActions(address, e.network, e.contract, e.symbol != null || e.event === "Transfer"),
  }),
  feed: createFeed((e) => app.detail.open(e)),
  deliveries: createDeliveries((target) => {
    void app.backend
      ?.redeliver(target)
      .then(() => app.errors.clear("redeliver"))
      .catch((err: unknown) => app.errors.show("redeliver", toAppError(err)));
  }),
  connected: null,
  show: null,
};

/** The buttons an address gets in the event detail: Label…, its balance in the token, its events. */
function addressActions(address: string, network: string, token: string, isToken: boolean): Node[] {
  const button = (text: string, testid: string, act: () => void): HTMLButtonElement => {
    const b = h("button", { type: "button", class: "button small", "data-testid": testid }, text);
    b.addEventListener("click", act);
    return b;
  };
  const views = (): ConnectedViews | null => app.connected;
  return [
    button("Label…", "address-label", () => views()?.labels.open(address, network)),
    isToken
      ? button("Balance", "address-balance-open", () => {
          app.detail.el.close();
          app.show?.("tokens");
          views()?.tokens.openAddress(network, token, address);
        })
      : null,
    button("Events", "address-events-open", () => {
      app.detail.el.close();
      app.show?.("history");
      views()?.history.showAddress(address, network);
    }),
  ].filter((b): b is HTMLButtonElement => b != null);
}

/** The engine is reachable: its screens are made. */
function onConnected(backend: Backend, views: ConnectedViews): void {
  app.backend = backend;
  app.connected = views;
}

/** A status arrived (read or pushed): every view follows it. */
function setStatus(next: EngineStatus): void {
  app.status = next;
  app.statusError = null;
  app.errors.clear("engine_status");
  render();
  app.detail.onStatus();
}

/** The status cannot be read (and none arrived): the header says why. */
function statusFailed(e: AppError): void {
  app.statusError = e.message;
  app.errors.show("engine_status", e);
  render();
}

/** Reloads the latest attempts at most every ATTEMPTS_EVERY_MS while statuses stream in. */
function refreshAttempts(): void {
  const now = Date.now();
  const backend = app.backend;
  if (backend == null || now < app.attemptsDue) return;
  app.attemptsDue = now + ATTEMPTS_EVERY_MS;
  backend
    .deliveryAttempts(ATTEMPTS_LIMIT)
    .then((rows) => app.deliveries.showAttempts(rows))
    .catch((err: unknown) => app.errors.show("delivery_attempts", toAppError(err)));
}

async function openEvent(backend: Backend, id: number | null): Promise<void> {
  if (id == null) return;
  try {
    const e = await backend.eventDetail(id);
    if (e) app.detail.open(e);
  } catch (err) {
    app.errors.show("event_detail", toAppError(err));
  }
}

function render(): void {
  const { status, connected } = app;
  app.header.update(summarize(status, app.statusError), status?.eventsStored ?? null, status?.database ?? null);
  connected?.dashboard.update(status);
  connected?.networks.update(status?.networks ?? []);
  connected?.networks.updateTeam(status);
  connected?.listeners.update(status?.listeners ?? [], status?.networks ?? []);
  connected?.steps.forEach((s) => s.update(status));
  app.deliveries.update(status?.targets ?? []);
  refreshAttempts();
}

async function loadStatus(backend: Backend): Promise<void> {
  try {
    setStatus(await backend.engineStatus());
  } catch (err) {
    if (app.status != null) return; // a pushed status already arrived
    statusFailed(toAppError(err));
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
      app.feed.upsert(e);
      app.detail.onEvent(e);
      app.connected?.history.onEvent(e);
    }
  };
  const load = async (): Promise<void> => {
    try {
      const recent = await backend.recentEvents(RECENT_LIMIT);
      app.errors.clear("recent_events");
      // Oldest first; on a retry, never let older history overwrite a pushed update.
      for (const e of [...recent].reverse()) if (!shown.has(e.id)) app.feed.upsert(e);
    } catch (err) {
      app.errors.show("recent_events", toAppError(err));
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
      for (const e of [...recent].reverse()) app.feed.upsert(e);
      app.connected?.history.resync();
    } catch (err) {
      app.errors.show("recent_events", toAppError(err));
    }
  };
  return { onEvent, load, resync };
}

/** The screens, in navigation order. */
const SCREENS = [
  ["dashboard", "Dashboard"],
  ["feed", "Live feed"],
  ["history", "History"],
  ["tokens", "Tokens"],
  ["addresses", "Address book"],
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
  root.replaceChildren(app.header.el, app.errors.el, h("div", { class: "shell" }, nav, main), app.detail.el);
  return show;
}

async function start(): Promise<void> {
  const root = document.getElementById("app");
  if (!root) return;
  const backend = await connect();
  const { errors, feed, deliveries } = app;
  const labels = createLabelDialog(backend);
  const history = createHistory(backend, (e) => app.detail.open(e), errors);
  const networks = createNetworks(backend, errors);
  /** A first-run step: a new network (then back to a new listener), or a new listener. */
  const addNetwork = (then?: () => void): void => {
    app.show?.("networks");
    networks.add(then);
  };
  const listeners = createListeners(backend, errors, () =>
    addNetwork(() => {
      app.show?.("listeners");
      listeners.add();
    }),
  );
  const go = (action: StepAction): void => {
    if (action === "network") addNetwork();
    else {
      app.show?.("listeners");
      listeners.add();
    }
  };
  const views: ConnectedViews = {
    dashboard: createDashboard(backend, errors),
    history,
    networks,
    listeners,
    labels,
    targets: createTargets(backend, errors),
    steps: [],
    tokens: createTokens(backend, errors, {
      label: (address, network) => labels.open(address, network),
      events: (address, network) => {
        app.show?.("history");
        history.showAddress(address, network);
      },
    }),
  };
  onConnected(backend, views);
  const book = createAddressBook(backend, errors, (address, network) => labels.open(address, network));
  const show = layout(root, {
    dashboard: views.dashboard,
    feed: { el: feed.el },
    history: views.history,
    tokens: views.tokens,
    addresses: book,
    networks: views.networks,
    listeners: views.listeners,
    // Targets (set up here) above how their deliveries go.
    deliveries: { el: h("div", { class: "deliveries-screen" }, views.targets.el, deliveries.el), shown: () => views.targets.shown() },
    settings: createSettings(backend, errors),
  });
  app.show = show;
  // Empty screens name the next step (the Listeners screen only the network it needs first).
  for (const screen of [views.dashboard.el, feed.el, views.history.el, views.tokens.el]) {
    const step = createNextStep(go);
    screen.prepend(step.el);
    views.steps.push(step);
  }
  const listenerStep = createNextStep(go, "network");
  views.listeners.el.prepend(listenerStep.el);
  views.steps.push(listenerStep);
  root.append(labels.el);
  show("dashboard");
  render();
  // Labels change how addresses read: the feed and History draw their rows again.
  onBookChange(() => {
    app.feed.relabel();
    app.detail.onStatus(); // an open detail draws itself again
    views.history.resync();
  });
  void book.load();

  const events = startFeed(backend);
  // Subscribe before loading so nothing committed in between is missed.
  try {
    await backend.onEvent(events.onEvent);
    await backend.onStatus(setStatus);
    await backend.onResync(() => void events.resync());
    await backend.onAlert((message) => errors.show("engine_alert", { code: "engine.alert", message }));
    await backend.onConfigReloaded((r) => {
      if (r.changes == null) return errors.show("config_reload", { code: "config.invalid", message: r.message });
      errors.clear("config_reload");
      errors.note("config_reload", r.message);
      views.networks.shown();
      views.listeners.shown();
      views.targets.shown();
    });
    await backend.onOpenEvent((id) => {
      if (id == null) show("feed");
      void openEvent(backend, id);
    });
  } catch (err) {
    errors.show("subscribe", toAppError(err));
  }
  // History, the screen most opened, loads with the rest (after subscribing, so that
  // nothing committed in between is missed).
  views.history.warm();
  await Promise.all([loadStatus(backend), events.load()]);
}

void start();
