// History screen: all stored events in a virtualised table with filters, sorting, columns, live updates, export.
import { h, setAttr, setText } from "../dom";
import { formatCount } from "../format";
import {
  COLUMNS,
  EMPTY_FILTER,
  FIELD_LABELS,
  FILTER_FIELDS,
  ariaSort,
  cellText,
  columnDefs,
  countText,
  emptyForm,
  gridTemplate,
  isEmptyFilter,
  sameFilter,
  isFilterError,
  matchesFilter,
  nextSort,
  parseColumns,
  parseFilter,
  rowWidth,
  toggleColumn,
  type ColumnId,
  type FilterField,
  type FilterForm,
  type FilterProblem,
} from "../history-model";
import { toAppError, type Backend, type Unlisten } from "../ipc";
import { createVirtualTable } from "../virtual-table";
import type { ErrorSink, ScreenView } from "../screen";
import type { EventFilter } from "../bindings/EventFilter";
import type { EventStatus } from "../bindings/EventStatus";
import type { ExportProgress } from "../bindings/ExportProgress";
import type { HistoryIndex } from "../bindings/HistoryIndex";
import type { HistorySort } from "../bindings/HistorySort";
import type { StoredEvent } from "../bindings/StoredEvent";

export interface HistoryView extends ScreenView {
  /** A committed event or a status change (same id) pushed by the engine. */
  onEvent(e: StoredEvent): void;
  /** Loads the first rows and the count ahead of time, so that History opens at once. */
  warm(): void;
  /** Pushed events were missed: reload the rows in place. */
  resync(): void;
}

const ROW_HEIGHT = 28;
const PAGE_SIZE = 100;
/** How long the first page waits for the count before it is shown without it. */
const COUNT_GRACE_MS = 0;

const delay = (ms: number): Promise<null> => new Promise((resolve) => setTimeout(() => resolve(null), ms));
const MAX_PAGES = 20;
/** New events refresh the top of the list at most this often. */
const REFRESH_MS = 1000;
const COLUMNS_KEY = "tokenwatch.history.columns";
const STATUSES: readonly EventStatus[] = ["pending", "confirmed", "removed"];
/** Suggestions offered per filter input. */
const MAX_SUGGESTIONS = 50;
/** Pushed rows remembered to tell new events from status changes. */
const MAX_PUSHED = 10_000;

function loadColumns(): ColumnId[] {
  try {
    return parseColumns(localStorage.getItem(COLUMNS_KEY));
  } catch {
    return parseColumns(null);
  }
}

function saveColumns(ids: readonly ColumnId[]): void {
  try {
    localStorage.setItem(COLUMNS_KEY, JSON.stringify(ids));
  } catch {
    // Storage unavailable: the choice lasts until the window closes.
  }
}

type FilterInput = HTMLInputElement | HTMLSelectElement;

/** The filter bar: inputs named after the EventFilter fields, Apply and Clear. */
function createFilterBar(): {
  el: HTMLFormElement;
  inputs: Record<FilterField, FilterInput>;
  suggest: (field: "network" | "listener" | "event", value: string) => void;
  clearButton: HTMLButtonElement;
  problems: HTMLElement;
} {
  const lists = {
    network: h("datalist", { id: "history-networks" }),
    listener: h("datalist", { id: "history-listeners" }),
    event: h("datalist", { id: "history-events" }),
  };
  const known = { network: new Set<string>(), listener: new Set<string>(), event: new Set<string>() };
  const text = (name: FilterField, attrs: Record<string, string> = {}): HTMLInputElement =>
    h("input", { class: "input", name, autocomplete: "off", spellcheck: "false", ...attrs });
  const status = h(
    "select",
    { class: "input", name: "status" },
    h("option", { value: "" }, "Any"),
    h("option", { value: "pending" }, "Pending"),
    h("option", { value: "confirmed" }, "Confirmed"),
    h("option", { value: "removed" }, "Removed"),
  );
  const inputs: Record<FilterField, FilterInput> = {
    network: text("network", { list: "history-networks", placeholder: "any" }),
    listener: text("listener", { list: "history-listeners", placeholder: "any" }),
    event: text("event", { list: "history-events", placeholder: "name or signature" }),
    contract: text("contract", { class: "input mono", placeholder: "0x…" }),
    address: text("address", { class: "input mono", placeholder: "0x… in any argument" }),
    fromBlock: text("fromBlock", { class: "input mono short", inputmode: "numeric", placeholder: "from" }),
    toBlock: text("toBlock", { class: "input mono short", inputmode: "numeric", placeholder: "to" }),
    fromTime: text("fromTime", { type: "datetime-local", step: "1" }),
    toTime: text("toTime", { type: "datetime-local", step: "1" }),
    status,
  };
  for (const f of FILTER_FIELDS) inputs[f].setAttribute("aria-label", FIELD_LABELS[f]);
  const field = (label: string, ...controls: Node[]): HTMLElement =>
    h("div", { class: "hist-field" }, h("span", { class: "hist-label" }, label), h("div", { class: "hist-controls" }, ...controls));
  const dash = (): HTMLElement => h("span", { class: "muted" }, "–");
  const apply = h("button", { class: "button primary", type: "submit", "data-testid": "history-apply" }, "Apply");
  const clearButton = h("button", { class: "button", type: "button", "data-testid": "history-clear" }, "Clear");
  const problems = h("div", { class: "hist-problems", role: "alert", "data-testid": "history-filter-error", hidden: true });
  const el = h(
    "form",
    { class: "hist-filters", "aria-label": "Filter", novalidate: true },
    field("Network", inputs.network),
    field("Listener", inputs.listener),
    field("Event", inputs.event),
    field("Contract", inputs.contract),
    field("Address", inputs.address),
    field("Blocks", inputs.fromBlock, dash(), inputs.toBlock),
    field("Time", inputs.fromTime, dash(), inputs.toTime),
    field("Status", inputs.status),
    h("div", { class: "hist-field hist-actions" }, apply, clearButton),
    problems,
    lists.network,
    lists.listener,
    lists.event,
  );
  const suggest = (kind: "network" | "listener" | "event", value: string): void => {
    const seen = known[kind];
    if (seen.has(value) || seen.size >= MAX_SUGGESTIONS) return;
    seen.add(value);
    lists[kind].append(h("option", { value }));
  };
  return { el, inputs, suggest, clearButton, problems };
}

/** The export button and what it says while and after it runs. */
function createExportBar(): {
  button: HTMLButtonElement;
  el: HTMLElement;
  progress(p: ExportProgress | null): void;
  done(text: string | null): void;
  failed(text: string | null): void;
} {
  const button = h("button", { class: "button", type: "button", "data-testid": "history-export" }, "Export CSV");
  const bar = h("progress", { class: "hist-progress-bar" });
  const barText = h("span", { class: "muted" });
  const progress = h("span", { class: "hist-export-progress", "data-testid": "export-progress", hidden: true }, bar, barText);
  const done = h("span", { class: "hist-export-done", "data-testid": "export-done", role: "status", hidden: true });
  const failed = h("span", { class: "hist-export-error", "data-testid": "export-error", role: "alert", hidden: true });
  return {
    button,
    el: h("span", { class: "hist-export" }, progress, done, failed),
    progress(p) {
      progress.hidden = p == null;
      if (p == null) return;
      if (p.total > 0) {
        bar.max = p.total;
        bar.value = Math.min(p.written, p.total);
      } else bar.removeAttribute("value");
      setText(barText, `Exporting… ${formatCount(p.written)} of ${formatCount(p.total)} rows`);
      setAttr(progress, "data-written", String(p.written));
      setAttr(progress, "data-total", String(p.total));
    },
    done(text) {
      done.hidden = text == null;
      setText(done, text ?? "");
    },
    failed(text) {
      failed.hidden = text == null;
      setText(failed, text ?? "");
    },
  };
}

export function createHistory(backend: Backend, open: (e: StoredEvent) => void, errors: ErrorSink): HistoryView {
  /** The filter and order the table shows (a filter is taken once the engine accepts it). */
  let filter: EventFilter = EMPTY_FILTER;
  let sort: HistorySort = "newest";
  let columns = loadColumns();
  let total: number | null = null;
  /** The count and page anchors of the loaded filter and order, once scanned. */
  let index: HistoryIndex | null = null;
  /** The count is still being computed; `total` is the rows known so far. */
  let counting = false;
  let loaded = false;
  /** Answers to older loads are dropped. */
  let loadSeq = 0;
  /** A load the user asked for (filter, order, "show") is running: live refreshes wait. */
  let userLoading = false;
  /** Highest event id among loaded rows: pushed events above it are new. */
  let maxSeenId = -Infinity;
  const pushed = new Set<string>();
  /** Matching events pushed since the table was loaded (they sit above it when newest first). */
  let newSinceLoad = 0;
  /** New events pushed so far (any filter): a load's first page is stale if this moved. */
  let pushCount = 0;
  /** A live refresh (or an in-place reload) came due while a load the user asked for ran:
   * it runs after that load. */
  let refreshAfterLoad = false;
  let reloadAfterLoad = false;

  const filters = createFilterBar();
  const exporter = createExportBar();
  const count = h("span", { class: "hist-count", "data-testid": "history-count", "aria-live": "polite" });
  const newPill = h("button", { class: "new-count hist-new", type: "button", "data-testid": "history-new", hidden: true });
  const columnMenu = h("div", { class: "hist-menu", role: "group", "aria-label": "Columns to show" });
  const columnChooser = h(
    "details",
    { class: "hist-columns", "data-testid": "history-columns" },
    h("summary", { class: "button" }, "Columns"),
    columnMenu,
  );
  const header = h("div", { class: "hist-row hist-header", role: "row" });
  const empty = h("p", { class: "empty hist-empty", hidden: true });

  const table = createVirtualTable<StoredEvent>({
    label: "Stored events",
    rowHeight: ROW_HEIGHT,
    pageSize: PAGE_SIZE,
    maxPages: MAX_PAGES,
    header,
    fetchPage: (offset, limit) => {
      // A page whose first row's key is known starts there; rows pushed since the load sit
      // above it and do not move it. Otherwise, when newest first, skip the pushed rows.
      const anchor = index != null && offset % index.every === 0 ? (index.anchors[offset / index.every] ?? null) : null;
      const shift = anchor == null && sort === "newest" ? newSinceLoad : 0;
      return backend.historyPage(filter, sort, offset + shift, limit, anchor).then((rows) => {
        noteRows(rows);
        errors.clear("history_page");
        return rows;
      });
    },
    createRow: () => h("div", {}),
    renderRow,
    onOpen: (e) => open(e),
    onError: (err) => errors.show("history_page", toAppError(err)),
    onMove: () => {
      if (newSinceLoad > 0 && autoRefreshes()) scheduleRefresh();
      refreshPill();
    },
  });
  table.el.dataset.testid = "history-table";

  const el = h(
    "section",
    { class: "panel history", "data-testid": "history", "aria-labelledby": "history-title" },
    h("div", { class: "panel-head" }, h("h2", { class: "panel-title", id: "history-title" }, "History"), count, newPill,
      h("span", { class: "spacer" }), exporter.el, columnChooser, exporter.button),
    filters.el,
    table.el,
    empty,
  );

  // ------------------------------------------------------------------------------------------
  // Rows and columns

  function renderRow(row: HTMLElement, e: StoredEvent | null): void {
    const defs = columnDefs(columns);
    row.classList.add("hist-row");
    row.classList.toggle("loading", e == null);
    for (const s of STATUSES) row.classList.toggle(`status-${s}`, e?.status === s);
    if (e == null) {
      for (const name of ["data-testid", "data-id", "data-listener", "data-status"]) row.removeAttribute(name);
      row.replaceChildren(...defs.map(() => h("div", { class: "hist-cell", role: "gridcell" }, h("span", { class: "skeleton" }))));
      return;
    }
    row.dataset.testid = "history-row";
    row.dataset.id = String(e.id);
    row.dataset.listener = e.listener;
    row.dataset.status = e.status;
    const now = Date.now();
    row.replaceChildren(
      ...defs.map((c) => {
        const t = cellText(c.id, e, now);
        const cell = h("div", { class: `hist-cell hc-${c.id}`, role: "gridcell", title: t.title });
        if (c.id === "status") cell.append(h("span", { class: `chip chip-${e.status}` }, t.text));
        else cell.append(t.text);
        if (t.detail != null) cell.append(h("span", { class: "raw muted" }, t.detail));
        return cell;
      }),
    );
  }

  function renderHeader(): void {
    header.replaceChildren(
      ...columnDefs(columns).map((c) => {
        const aria = ariaSort(sort, c);
        const cell = h("div", { class: `hist-cell hc-${c.id}`, role: "columnheader", "aria-sort": aria });
        if (aria == null) {
          cell.append(c.label);
          return cell;
        }
        const arrow = aria === "ascending" ? "▲" : aria === "descending" ? "▼" : "";
        const b = h(
          "button",
          { class: "hist-sort", type: "button", "data-sort": c.id, title: sortTitle(c.id) },
          c.label,
          h("span", { class: "hist-arrow", "aria-hidden": "true" }, arrow),
        );
        b.addEventListener("click", () => void load(filter, nextSort(sort, c), "top"));
        cell.append(b);
        return cell;
      }),
    );
  }

  function sortTitle(id: ColumnId): string {
    return id === "amount"
      ? "Sort by amount in the token's smallest units (largest or smallest first); filter by contract to compare one token"
      : "Sort by time (newest or oldest first)";
  }

  function applyColumns(): void {
    table.el.style.setProperty("--hist-cols", gridTemplate(columns));
    table.el.style.setProperty("--hist-width", `${rowWidth(columns)}px`);
    renderHeader();
    table.redraw();
    for (const box of columnMenu.querySelectorAll("input")) {
      box.checked = columns.includes(box.value as ColumnId);
      box.disabled = box.checked && columns.length === 1;
    }
  }

  columnMenu.append(
    ...COLUMNS.map((c) => {
      const box = h("input", { type: "checkbox", value: c.id, name: "column" });
      box.addEventListener("change", () => {
        columns = toggleColumn(columns, c.id, box.checked);
        saveColumns(columns);
        applyColumns();
      });
      return h("label", { class: "hist-menu-item" }, box, c.label);
    }),
  );
  document.addEventListener("click", (ev) => {
    if (columnChooser.open && !columnChooser.contains(ev.target as Node)) columnChooser.open = false;
  });
  columnChooser.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") columnChooser.open = false;
  });

  // ------------------------------------------------------------------------------------------
  // Loading

  function noteRows(rows: readonly StoredEvent[]): void {
    for (const e of rows) {
      if (e.id > maxSeenId) maxSeenId = e.id;
      filters.suggest("network", e.network);
      filters.suggest("listener", e.listener);
      filters.suggest("event", e.event);
    }
  }

  function showProblems(problems: FilterProblem[]): void {
    for (const f of FILTER_FIELDS) setAttr(filters.inputs[f], "aria-invalid", problems.some((p) => p.field === f) ? "true" : null);
    filters.problems.replaceChildren(...problems.map((p) => h("p", {}, p.message)));
    filters.problems.hidden = problems.length === 0;
  }

  /** The store's "invalid filter: address: …" as a problem of that field. */
  function storeProblem(message: string): FilterProblem {
    const named = /^invalid filter: (\w+):/.exec(message)?.[1];
    const field = FILTER_FIELDS.find((f) => f === named) ?? "address";
    return { field, message: message.charAt(0).toUpperCase() + message.slice(1) };
  }

  /**
   * Loads the count and first page of `f` in order `s`, then shows them: from the top ("top"),
   * or in place as new events arrive ("live"), or at the new events ("new").
   */
  async function load(f: EventFilter, s: HistorySort, mode: "top" | "live" | "new"): Promise<void> {
    const seq = ++loadSeq;
    if (mode !== "live") {
      userLoading = true;
      count.setAttribute("aria-busy", "true");
    }
    const pushesBefore = pushCount;
    // The first page as the count and page anchors will see it: when events were pushed
    // while the count ran, the rows fetched before it are stale and page 0 is fetched again
    // (seeding them would repeat rows at the first page boundary).
    const settled = (rows: StoredEvent[] | null): StoredEvent[] | null => (pushCount === pushesBefore ? rows : null);
    const firstPage = mode === "new" && s === "oldest" ? null : backend.historyPage(f, s, 0, PAGE_SIZE);
    const indexed = backend.historyIndex(f, s, PAGE_SIZE);
    const counted = indexed.then((ix) => ix.count);
    // A failure is reported by whoever awaits the count; nobody may if the page failed first.
    counted.catch(() => undefined);
    // A new order of the same filter has the same rows: their count is already known, and
    // the scan only brings the new order's page anchors (and any rows stored meanwhile).
    // The same for a live refresh: the rows added are those pushed since the load.
    const known = mode !== "new" && total != null && !counting && sameFilter(f, filter) ? total + newSinceLoad : null;
    index = null;
    void indexed.then(
      (ix) => {
        if (seq === loadSeq) index = ix;
      },
      () => undefined,
    );
    try {
      const rows = firstPage == null ? null : await firstPage;
      if (seq !== loadSeq) return;
      if (known != null && rows != null) {
        show(f, s, Math.max(known, rows.length), rows, mode, false);
        const n = await counted;
        if (seq === loadSeq && n !== total) show(f, s, n, settled(rows), "live", false, false);
        return;
      }
      // A short page is the whole answer; otherwise show it while the count (a scan of
      // every matching row on a large filtered history) is still running.
      let n: number;
      if (rows != null && rows.length < PAGE_SIZE) {
        n = rows.length;
      } else {
        const early = await Promise.race([counted, delay(COUNT_GRACE_MS)]);
        if (seq !== loadSeq) return;
        if (early == null && rows != null) {
          show(f, s, rows.length, rows, mode, true);
          n = await counted;
          if (seq !== loadSeq) return;
          show(f, s, n, settled(rows), "live", false, false);
          return;
        }
        n = early ?? (await counted);
      }
      show(f, s, n, settled(rows), mode, false);
      if (mode === "new" && s === "oldest" && n > 0) table.select(n - 1);
    } catch (err) {
      if (seq !== loadSeq) return;
      if (counting) {
        // The count failed after the first page was shown: say what is known.
        counting = false;
        refreshChrome();
      }
      const e = toAppError(err);
      if (isFilterError(e)) showProblems([storeProblem(e.message)]);
      else errors.show("history", e);
    } finally {
      if (seq === loadSeq) {
        userLoading = false;
        count.removeAttribute("aria-busy");
        if (refreshAfterLoad) {
          refreshAfterLoad = false;
          scheduleRefresh();
        }
        if (reloadAfterLoad) {
          reloadAfterLoad = false;
          scheduleReload();
        }
      }
    }
  }

  /**
   * Shows `n` rows of `f` in order `s`, the first page already known. `added`: the rows
   * beyond the last count were added above the selection (false when only the count of
   * the same rows arrived).
   */
  function show(f: EventFilter, s: HistorySort, n: number, rows: StoredEvent[] | null, mode: "top" | "live" | "new", still: boolean, added = true): void {
      errors.clear("history");
      showProblems([]);
      const before = total ?? n;
      filter = f;
      sort = s;
      total = n;
      counting = still;
      newSinceLoad = 0;
      loaded = true;
      if (rows != null) noteRows(rows);
      const seed: [number, StoredEvent[]][] = rows == null ? [] : [[0, rows]];
      if (mode === "live") table.reset(n, { keepPosition: true, seed, shiftSelection: added ? n - before : 0 });
      else table.reset(n, { seed });
      renderHeader();
      refreshChrome();
  }

  function refreshChrome(): void {
    const n = total ?? 0;
    setText(count, total == null ? "" : counting ? `${countText(n)}+ (counting…)` : countText(n));
    setAttr(count, "title", isEmptyFilter(filter) ? "All stored events (one row per event and listener)" : "Events matching the filter");
    empty.hidden = total !== 0;
    setText(empty, isEmptyFilter(filter) ? "Nothing stored yet. Events appear here as listeners match logs." : "No events match this filter.");
    refreshPill();
  }

  function refreshPill(): void {
    const hidden = newSinceLoad === 0 || autoRefreshes();
    if (newPill.hidden !== hidden) newPill.hidden = hidden;
    setText(newPill, `${formatCount(newSinceLoad)} new ${newSinceLoad === 1 ? "event" : "events"} — show`);
  }

  /** New events are shown as they come while the newest are in view. */
  function autoRefreshes(): boolean {
    return sort === "newest" && table.atTop() && !el.hidden;
  }

  let refreshTimer: ReturnType<typeof setTimeout> | null = null;
  let lastRefresh = 0;
  let refreshing = false;
  let refreshAgain = false;

  /** Reloads the top of the list, at most once per REFRESH_MS, never two loads at once. */
  function scheduleRefresh(): void {
    if (refreshTimer != null) return;
    if (refreshing) {
      refreshAgain = true;
      return;
    }
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      // A load the user asked for shows the newest rows anyway; a refresh would overtake it.
      if (userLoading) {
        // Its rows may predate events pushed since: look again once it is shown.
        refreshAfterLoad = true;
        return;
      }
      if (!autoRefreshes()) {
        refreshPill();
        return;
      }
      refreshing = true;
      lastRefresh = Date.now();
      void load(filter, sort, "live").finally(() => {
        refreshing = false;
        if (refreshAgain) {
          refreshAgain = false;
          scheduleRefresh();
        }
      });
    }, Math.max(0, lastRefresh + REFRESH_MS - Date.now()));
  }

  let reloadTimer: ReturnType<typeof setTimeout> | null = null;

  /** Reloads the rows in place (at most once per REFRESH_MS), wherever the view is scrolled. */
  function scheduleReload(): void {
    if (reloadTimer != null) return;
    reloadTimer = setTimeout(() => {
      reloadTimer = null;
      if (userLoading) {
        reloadAfterLoad = true;
        return;
      }
      void load(filter, sort, "live");
    }, REFRESH_MS);
  }

  function readForm(): FilterForm {
    const form = emptyForm();
    for (const f of FILTER_FIELDS) form[f] = filters.inputs[f].value;
    return form;
  }

  function apply(): void {
    const parsed = parseFilter(readForm());
    if (!parsed.ok) {
      showProblems(parsed.problems);
      return;
    }
    void load(parsed.filter, sort, "top");
  }

  filters.el.addEventListener("submit", (ev) => {
    ev.preventDefault();
    apply();
  });
  filters.clearButton.addEventListener("click", () => {
    for (const f of FILTER_FIELDS) filters.inputs[f].value = "";
    apply();
  });
  newPill.addEventListener("click", () => void load(filter, sort, "new"));

  // ------------------------------------------------------------------------------------------
  // Export

  let exporting = false;
  let progressSubscription: Promise<Unlisten> | null = null;

  exporter.button.addEventListener("click", () => void runExport());

  async function runExport(): Promise<void> {
    if (exporting) return;
    exporting = true;
    exporter.button.disabled = true;
    exporter.done(null);
    exporter.failed(null);
    try {
      if (progressSubscription == null) {
        const subscribing = backend.onExportProgress((p) => {
          if (exporting) exporter.progress(p);
        });
        // Subscribe once; try again next time only if subscribing itself failed.
        subscribing.catch(() => (progressSubscription = null));
        progressSubscription = subscribing;
      }
      await progressSubscription;
      const result = await backend.exportCsv(filter);
      exporter.done(
        result == null
          ? "Export cancelled."
          : `Exported ${formatCount(result.rows)} ${result.rows === 1 ? "row" : "rows"} to ${result.path}`,
      );
    } catch (err) {
      exporter.failed(`Export failed: ${toAppError(err).message}`);
    } finally {
      exporting = false;
      exporter.button.disabled = false;
      exporter.progress(null);
    }
  }

  applyColumns();

  return {
    el,
    shown() {
      table.measure();
      // Unless already loading (ahead of time, or asked for before).
      if (!loaded && !userLoading) void load(filter, sort, "top");
      else if (newSinceLoad > 0 && autoRefreshes()) scheduleRefresh();
      refreshPill();
    },
    warm() {
      if (!loaded && !userLoading) void load(filter, sort, "top");
    },
    resync() {
      if (loaded) scheduleReload();
    },
    onEvent(e) {
      filters.suggest("network", e.network);
      filters.suggest("listener", e.listener);
      filters.suggest("event", e.event);
      const key = `${e.id}:${e.listener}`;
      const isNew = e.id > maxSeenId && !pushed.has(key);
      pushed.add(key);
      if (pushed.size > MAX_PUSHED) pushed.delete(pushed.values().next().value as string);
      if (!isNew) {
        table.patch((row) =>
          row.id === e.id && (row.status !== e.status || (e.blockTime != null && row.blockTime !== e.blockTime))
            ? { ...row, status: e.status, blockTime: e.blockTime ?? row.blockTime }
            : null,
        );
        // A row that left a status filter (pending -> confirmed): the rows and their count
        // are reloaded in place rather than shown under a filter they no longer meet.
        if (loaded && filter.status != null && e.status !== filter.status) scheduleReload();
        return;
      }
      pushCount++;
      if (!loaded || !matchesFilter(e, filter)) return;
      newSinceLoad++;
      if (autoRefreshes()) scheduleRefresh();
      refreshPill();
    },
  };
}
