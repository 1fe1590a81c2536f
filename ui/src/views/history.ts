// History screen: all stored events in a virtualised table with filters, sorting, columns, live updates, export.
import { h, setAttr, setText } from "../dom";
import { formatCount } from "../format";
import {
  COLUMNS,
  FILTER_FIELDS,
  ariaSort,
  cellText,
  columnDefs,
  emptyForm,
  gridTemplate,
  isEmptyFilter,
  isFilterError,
  nextSort,
  parseColumns,
  parseFilter,
  rowWidth,
  sortedColumn,
  toggleColumn,
  type ColumnId,
  type FilterForm,
  type FilterProblem,
} from "../history-model";
import {
  PAGE_SIZE,
  countLabel,
  createSeenEvents,
  current,
  initialState,
  isBusy,
  pageRequest,
  pillCount,
  transition,
  type HistoryEffect,
  type HistoryEvent,
} from "../history-machine";
import { toAppError, type Backend } from "../ipc";
import { labelOf } from "../labels";
import { createVirtualTable } from "../virtual-table";
import { createExportBar, createFilterBar } from "./history-bars";
import { createSavedFilters } from "./history-saved";
import type { ErrorSink, ScreenView } from "../screen";
import type { EventStatus } from "../bindings/EventStatus";
import type { StoredEvent } from "../bindings/StoredEvent";

export interface HistoryView extends ScreenView {
  /** A committed event or a status change (same id) pushed by the engine. */
  onEvent(e: StoredEvent): void;
  /** Loads the first rows and the count ahead of time, so that History opens at once. */
  warm(): void;
  /** Pushed events were missed: reload the rows in place. */
  resync(): void;
  /** Shows the events that mention `address` on `network` (the filter form says so). */
  showAddress(address: string, network: string): void;
}

const ROW_HEIGHT = 28;
const MAX_PAGES = 20;
const COLUMNS_KEY = "tokenwatch.history.columns";
const STATUSES: readonly EventStatus[] = ["pending", "confirmed", "removed"];

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

export function createHistory(backend: Backend, open: (e: StoredEvent) => void, errors: ErrorSink): HistoryView {
  let columns = loadColumns();
  /** The header clicked last: of Time and Block (the same order), the one that shows the arrow. */
  let clickedSort: ColumnId | null = null;
  /** Loads, counts and refreshes (see history-machine.ts); changed only by `dispatch`. */
  let state = initialState();
  const seen = createSeenEvents();

  const filters = createFilterBar();
  const saved = createSavedFilters(readForm, (form) => {
    for (const f of FILTER_FIELDS) filters.inputs[f].value = form[f];
    apply();
  });
  const exporter = createExportBar(
    backend,
    () => current(state).filter,
    () => current(state).sort,
  );
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
      const r = pageRequest(state, offset);
      return backend.historyPage(r.filter, r.sort, r.offset, limit, r.anchor).then((rows) => {
        noteRows(rows);
        errors.clear("history_page");
        return rows;
      });
    },
    createRow: () => h("div", {}),
    renderRow,
    onOpen: (e) => open(e),
    onError: (err) => errors.show("history_page", toAppError(err)),
    onMove: () => dispatch({ type: "moved", watching: watching() }),
  });
  table.el.dataset.testid = "history-table";

  const el = h(
    "section",
    { class: "panel history", "data-testid": "history", "aria-labelledby": "history-title" },
    h("div", { class: "panel-head" }, h("h2", { class: "panel-title", id: "history-title" }, "History"), count, newPill,
      h("span", { class: "spacer" }), exporter.el, columnChooser, exporter.button),
    saved,
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
        return cell;
      }),
    );
  }

  function renderHeader(): void {
    const sort = current(state).sort;
    const sortedBy = sortedColumn(sort, columns, clickedSort);
    header.replaceChildren(
      ...columnDefs(columns).map((c) => {
        const aria = ariaSort(sort, c, sortedBy);
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
        b.addEventListener("click", () => {
          const sort = nextSort(current(state).sort, c, sortedColumn(current(state).sort, columns, clickedSort));
          clickedSort = c.id;
          dispatch({ type: "sort", sort });
        });
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
  // Loading: events go to the machine, its effects are run here

  /** The newest rows are in view: new events are shown as they come. */
  function watching(): boolean {
    return table.atTop() && !el.hidden;
  }

  function dispatch(event: HistoryEvent): void {
    const step = transition(state, event);
    state = step.state;
    for (const effect of step.effects) run(effect);
    refreshChrome();
  }

  function run(effect: HistoryEffect): void {
    switch (effect.type) {
      case "fetchPage": {
        const { seq } = effect;
        backend.historyPage(effect.filter, effect.sort, 0, PAGE_SIZE).then(
          (rows) => dispatch({ type: "page", seq, rows }),
          (error: unknown) => dispatch({ type: "failed", seq, error }),
        );
        return;
      }
      case "fetchIndex": {
        const { seq } = effect;
        backend.historyIndex(effect.filter, effect.sort, PAGE_SIZE).then(
          (index) => dispatch({ type: "count", seq, index }),
          (error: unknown) => dispatch({ type: "failed", seq, error }),
        );
        return;
      }
      case "show": {
        errors.clear("history");
        showProblems([]);
        if (effect.rows != null) noteRows(effect.rows);
        const seed: [number, StoredEvent[]][] = effect.rows == null ? [] : [[0, effect.rows]];
        if (effect.keepPosition) table.reset(effect.total, { keepPosition: true, seed, shiftSelection: effect.shift });
        else table.reset(effect.total, { seed });
        renderHeader();
        if (effect.select != null) table.select(effect.select);
        return;
      }
      case "failed": {
        const e = toAppError(effect.error);
        if (isFilterError(e)) showProblems([storeProblem(e.message)]);
        else errors.show("history", e);
        return;
      }
      case "timer": {
        const { timer } = effect;
        setTimeout(() => dispatch({ type: "timer", timer, watching: watching() }), effect.ms);
        return;
      }
    }
  }

  /** The names an event brings to the filters' suggestions (its token's symbol, its contract's label). */
  function suggestFrom(e: StoredEvent): void {
    filters.suggest("network", e.network);
    for (const l of e.listeners) filters.suggest("listener", l);
    filters.suggest("event", e.event);
    if (e.symbol != null) filters.suggest("contract", e.symbol);
    const label = labelOf(e.contract, e.network);
    if (label != null) filters.suggest("contract", label);
  }

  function noteRows(rows: readonly StoredEvent[]): void {
    seen.noteRows(rows);
    rows.forEach(suggestFrom);
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

  /** The count, whether a load runs, the empty message and the new-events pill, from the state. */
  function refreshChrome(): void {
    const all = isEmptyFilter(current(state).filter);
    setText(count, countLabel(state));
    setAttr(count, "aria-busy", isBusy(state) ? "true" : null);
    setAttr(count, "title", all ? "All stored events, one row per log with the listeners that matched it" : "Events matching the filter");
    empty.hidden = state.view?.total !== 0;
    setText(empty, all ? "Nothing stored yet. Events appear here as listeners match logs." : "No events match this filter.");
    const n = pillCount(state, watching());
    if (newPill.hidden !== (n === 0)) newPill.hidden = n === 0;
    if (n > 0) setText(newPill, `${formatCount(n)} new ${n === 1 ? "event" : "events"} — show`);
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
    dispatch({ type: "filter", filter: parsed.filter });
  }

  filters.el.addEventListener("submit", (ev) => {
    ev.preventDefault();
    apply();
  });
  filters.clearButton.addEventListener("click", () => {
    for (const f of FILTER_FIELDS) filters.inputs[f].value = "";
    apply();
  });
  newPill.addEventListener("click", () => dispatch({ type: "showNew" }));

  applyColumns();

  return {
    el,
    shown() {
      table.measure();
      dispatch({ type: "open", watching: watching() });
    },
    warm() {
      dispatch({ type: "warm" });
    },
    resync() {
      dispatch({ type: "resync" });
    },
    showAddress(address, network) {
      for (const f of FILTER_FIELDS) filters.inputs[f].value = "";
      filters.inputs.address.value = address;
      filters.inputs.network.value = network;
      apply();
    },
    onEvent(e) {
      suggestFrom(e);
      const isNew = seen.notePushed(e);
      if (!isNew) {
        table.patch((row) =>
          row.id === e.id && (row.status !== e.status || (e.blockTime != null && row.blockTime !== e.blockTime))
            ? { ...row, status: e.status, blockTime: e.blockTime ?? row.blockTime }
            : null,
        );
      }
      dispatch({ type: "notice", event: e, isNew, watching: watching() });
    },
  };
}
