// Dashboard screen: events over time per listener, busiest tokens and addresses, engine health.
import { renderChart } from "../chart";
import { h, setAttr, setText, syncKeyed } from "../dom";
import { HEALTH_WORDS, formatAddress, formatCount, formatFullLocalTime, formatLag, formatLocalTime, shortenAddress } from "../format";
import { toAppError, type Backend } from "../ipc";
import { summarize } from "../summary";
import { targetLabel } from "./deliveries";
import { heldBackText, waitingFor } from "../held-back";
import type { ErrorSink, ScreenView } from "../screen";
import type { Dashboard } from "../bindings/Dashboard";
import type { EngineStatus } from "../bindings/EngineStatus";
import type { ListenerPhase } from "../bindings/ListenerPhase";
import type { TopEntry } from "../bindings/TopEntry";

export interface DashboardView extends ScreenView {
  update(status: EngineStatus | null): void;
}

/** The windows offered, each with a bucket size that gives 50–60 bars. */
export const WINDOWS = [
  { id: "1h", label: "Last hour", secs: 3_600, bucket: 60, bucketWords: "1-minute", name: "the last hour" },
  { id: "24h", label: "Last 24 hours", secs: 86_400, bucket: 1_800, bucketWords: "30-minute", name: "the last 24 hours" },
  { id: "7d", label: "Last 7 days", secs: 604_800, bucket: 10_800, bucketWords: "3-hour", name: "the last 7 days" },
] as const;
type ChartWindow = (typeof WINDOWS)[number];

const WINDOW_KEY = "tokenwatch.dashboard.window";
const RELOAD_MS = 10_000;
const CHART_HEIGHT = 220;

export type Tone = "ok" | "warn" | "bad" | "idle";

/** One line of the health panel: what, how it is in words, and any problems underneath. */
export interface HealthLine {
  key: string;
  label: string;
  text: string;
  tone: Tone;
  details: string[];
}

const PHASE_ORDER: readonly ListenerPhase[] = ["live", "backfilling", "starting", "paused", "failed"];

function host(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}

/** The engine's state in a few lines of words. */
export function healthLines(status: EngineStatus | null): HealthLine[] {
  const engine = summarize(status);
  const engineLine: HealthLine =
    status == null
      ? { key: "engine", label: "Engine", text: engine.reason, tone: "idle", details: [] }
      : status.error
        ? { key: "engine", label: "Engine", text: status.error, tone: "bad", details: [] }
        : status.running
          ? { key: "engine", label: "Engine", text: "Running", tone: status.warnings.length > 0 ? "warn" : "ok", details: status.warnings }
          : { key: "engine", label: "Engine", text: "Stopped", tone: "idle", details: [] };
  if (status == null) return [engineLine];

  const networks: HealthLine[] = status.networks.map((n) => {
    const details = n.endpoints
      .filter((e) => e.health !== "ok" && e.health !== "unknown")
      .map((e) => `${host(e.url)} ${HEALTH_WORDS[e.health]}${e.lastError ? `: ${e.lastError}` : ""}`);
    if (n.error) return { key: `network:${n.name}`, label: n.name, text: n.error, tone: "bad", details };
    const head = n.head == null ? "" : ` · head ${formatCount(n.head)}`;
    const tone: Tone = n.lag == null ? "idle" : n.lag > 10 || details.length > 0 ? "warn" : "ok";
    return { key: `network:${n.name}`, label: n.name, text: `${formatLag(n.lag)}${head}`, tone, details };
  });
  if (networks.length === 0) networks.push({ key: "networks", label: "Networks", text: "None configured", tone: "idle", details: [] });

  const phases = new Map<ListenerPhase, number>();
  for (const l of status.listeners) phases.set(l.phase, (phases.get(l.phase) ?? 0) + 1);
  const failed = status.listeners.filter((l) => l.phase === "failed");
  const listeners: HealthLine = {
    key: "listeners",
    label: "Listeners",
    text:
      status.listeners.length === 0
        ? "None configured"
        : PHASE_ORDER.filter((p) => phases.has(p)).map((p) => `${formatCount(phases.get(p) ?? 0)} ${p}`).join(" · "),
    tone: status.listeners.length === 0 ? "idle" : failed.length > 0 ? "bad" : "ok",
    details: failed.map((l) => `${l.name} has failed`),
  };

  const queued = status.targets.reduce((n, t) => n + t.queued, 0);
  const parked = status.targets.reduce((n, t) => n + t.parked, 0);
  const held = status.targets.reduce((n, t) => n + t.held, 0);
  const problems = status.targets.filter((t) => t.lastError != null).map((t) => `${targetLabel(t.target)}: ${t.lastError ?? ""}`);
  // Messages held back on purpose (the pop-up limit, quiet hours): why, and when they go out.
  const heldBack = status.targets.flatMap((t) =>
    t.queued > 0 && t.heldBack != null
      ? [`${targetLabel(t.target)}: ${formatCount(t.queued)} waiting ${waitingFor(t.heldBack.reason)}. ${heldBackText(t.heldBack)}`]
      : []);
  const parkedText = held > 0 ? `${formatCount(held)} held behind ${formatCount(parked)} parked` : `${formatCount(parked)} parked`;
  const parts = [queued > 0 ? `${formatCount(queued)} waiting` : null, parked > 0 ? parkedText : null].filter(
    (p): p is string => p != null,
  );
  const deliveries: HealthLine = {
    key: "deliveries",
    label: "Deliveries",
    text: status.targets.length === 0 ? "No delivery targets" : parts.length > 0 ? parts.join(" · ") : "Nothing waiting",
    tone: status.targets.length === 0 ? "idle" : problems.length > 0 || parked > 0 ? "warn" : "ok",
    details: [...heldBack, ...problems],
  };

  return [
    engineLine,
    ...networks,
    listeners,
    { key: "events", label: "Events stored", text: formatCount(status.eventsStored), tone: "idle", details: [] },
    deliveries,
  ];
}

function loadWindow(): ChartWindow {
  try {
    const id = localStorage.getItem(WINDOW_KEY);
    return WINDOWS.find((w) => w.id === id) ?? WINDOWS[1];
  } catch {
    return WINDOWS[1];
  }
}

function saveWindow(w: ChartWindow): void {
  try {
    localStorage.setItem(WINDOW_KEY, w.id);
  } catch {
    // Storage unavailable: the choice lasts until the window closes.
  }
}

interface HealthRow extends HTMLElement {
  refs: { label: HTMLElement; text: HTMLElement; details: HTMLElement; detailsKey: string };
}

function createHealthRow(line: HealthLine): HealthRow {
  const refs = {
    label: h("dt", {}),
    text: h("dd", { class: "health-text" }),
    details: h("ul", { class: "health-details" }),
    detailsKey: "",
  };
  const el = h("div", { class: "health-line", "data-key": line.key }, h("span", { class: "dot" }), refs.label, refs.text, refs.details);
  return Object.assign(el, { refs });
}

function updateHealthRow(row: HealthRow, line: HealthLine): void {
  setText(row.refs.label, line.label);
  setText(row.refs.text, line.text);
  setAttr(row, "data-tone", line.tone);
  const key = line.details.join("\n");
  if (key !== row.refs.detailsKey) {
    row.refs.detailsKey = key;
    row.refs.details.replaceChildren(...line.details.map((d) => h("li", {}, d)));
  }
  row.refs.details.hidden = line.details.length === 0;
}

/** A "busiest" table: name (with the full address as tooltip), network, events. */
function topTable(testid: string, first: string): { el: HTMLElement; show(entries: readonly TopEntry[], empty: string): void } {
  const body = h("tbody", {});
  const note = h("p", { class: "empty", hidden: true });
  const table = h(
    "table",
    { class: "dash-table", "data-testid": testid },
    h("thead", {}, h("tr", {}, h("th", {}, first), h("th", {}, "Network"), h("th", { class: "num" }, "Events"))),
    body,
  );
  let shownKey = "";
  return {
    el: h("div", {}, table, note),
    show(entries, empty) {
      const key = JSON.stringify(entries);
      if (key !== shownKey) {
        shownKey = key;
        body.replaceChildren(
          ...entries.map((e) =>
            h("tr", { "data-address": e.address },
              // The address goes with a symbol: any contract may call itself USDC.
              h("td", { class: e.symbol ? "" : "mono", title: `${e.address} on ${e.network}` },
                e.symbol ?? formatAddress(e.address, e.network),
                e.symbol ? h("span", { class: "muted mono" }, ` ${shortenAddress(e.address)}`) : null),
              h("td", {}, e.network),
              h("td", { class: "num" }, formatCount(e.count))),
          ),
        );
      }
      table.hidden = entries.length === 0;
      note.hidden = entries.length > 0;
      setText(note, empty);
    },
  };
}

export function createDashboard(backend: Backend, errors: ErrorSink): DashboardView {
  let win = loadWindow();
  let data: Dashboard | null = null;
  let status: EngineStatus | null = null;
  let loading = false;
  let again = false;
  let timer: ReturnType<typeof setInterval> | null = null;
  let chartWidth = 0;

  const windowButtons = WINDOWS.map((w) => {
    const b = h("button", { class: "button", type: "button", "data-window": w.id, "aria-pressed": "false" }, w.label);
    b.addEventListener("click", () => {
      if (w === win) return;
      win = w;
      saveWindow(w);
      data = null;
      renderWindow();
      load();
    });
    return b;
  });
  const chartBox = h("div", { class: "dash-chart", "data-testid": "dashboard-chart" });
  const chartNote = h("p", { class: "muted dash-note" });
  const tokens = topTable("dashboard-tokens", "Token");
  const addresses = topTable("dashboard-addresses", "Address");
  const addressNote = h("p", { class: "muted dash-note" });
  const health = h("dl", { class: "health", "data-testid": "dashboard-health" });
  const healthRows = new Map<string, HealthRow>();

  const card = (title: string, ...children: Node[]): HTMLElement =>
    h("section", { class: "dash-card" }, h("h3", { class: "dash-title" }, title), ...children);
  const el = h(
    "section",
    { class: "panel dashboard", "data-testid": "dashboard", "aria-labelledby": "dashboard-title" },
    h("div", { class: "panel-head" },
      h("h2", { class: "panel-title", id: "dashboard-title" }, "Dashboard"),
      h("span", { class: "spacer" }),
      h("div", { class: "segmented", role: "group", "aria-label": "Time window", "data-testid": "dashboard-window" }, ...windowButtons)),
    h("div", { class: "dash-grid" },
      card("Events over time", chartNote, chartBox),
      card("Engine health", health),
      card("Busiest tokens", tokens.el),
      card("Busiest addresses", addressNote, addresses.el)),
  );

  function renderWindow(): void {
    for (const b of windowButtons) b.setAttribute("aria-pressed", String(b.dataset.window === win.id));
    if (data == null) {
      setText(chartNote, "Loading…");
      return;
    }
    const until = data.until;
    setText(
      chartNote,
      until == null
        ? "Nothing stored yet."
        : `Per listener, in ${win.bucketWords} buckets, over ${win.name} up to the newest stored event (${formatLocalTime(until)}).`,
    );
    setAttr(chartNote, "title", until == null ? null : formatFullLocalTime(until));
    renderChartNow();
    tokens.show(data.topContracts, "No events in this window.");
    addresses.show(data.topAddresses, "No addresses seen yet.");
    setText(addressNote, `Among the latest ${formatCount(data.addressSample)} events.`);
    addressNote.hidden = data.topAddresses.length === 0;
  }

  function renderChartNow(): void {
    chartWidth = chartBox.clientWidth;
    if (data == null || chartWidth === 0) return;
    const until = data.until ?? 0;
    chartBox.replaceChildren(
      renderChart(
        {
          series: data.series,
          from: until - win.secs,
          until,
          bucketSecs: data.bucketSecs,
          label: `Events per listener over ${win.name}`,
          order: status?.listeners.map((l) => l.name),
        },
        chartWidth,
        CHART_HEIGHT,
      ),
    );
  }

  new ResizeObserver(() => {
    if (chartBox.clientWidth !== chartWidth) renderChartNow();
  }).observe(chartBox);

  /** Reloads the dashboard; a request made while one runs waits for it. */
  function load(): void {
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    const asked = win;
    backend
      .dashboard(asked.secs, asked.bucket)
      .then((d) => {
        errors.clear("dashboard");
        if (asked !== win) return;
        data = d;
        renderWindow();
      })
      .catch((err: unknown) => errors.show("dashboard", toAppError(err)))
      .finally(() => {
        loading = false;
        if (again) {
          again = false;
          load();
        }
      });
  }

  function tick(): void {
    if (el.hidden || !el.isConnected) {
      if (timer != null) clearInterval(timer);
      timer = null;
      return;
    }
    if (document.visibilityState !== "hidden") load();
  }

  renderWindow();

  return {
    el,
    shown() {
      load();
      timer ??= setInterval(tick, RELOAD_MS);
    },
    update(next) {
      const names = (s: EngineStatus | null): string => JSON.stringify(s?.listeners.map((l) => l.name) ?? []);
      const recolour = names(next) !== names(status);
      status = next;
      if (recolour) renderChartNow();
      syncKeyed(health, healthLines(next), (l) => l.key, createHealthRow, updateHealthRow, healthRows);
    },
  };
}
