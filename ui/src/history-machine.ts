// History's loading as a state machine without the DOM: loads, counts, live refreshes, reloads.
import { EMPTY_FILTER, countText, matchesFilter, sameFilter } from "./history-model";
import type { EventFilter } from "./bindings/EventFilter";
import type { HistoryIndex } from "./bindings/HistoryIndex";
import type { HistorySort } from "./bindings/HistorySort";
import type { StoredEvent } from "./bindings/StoredEvent";

/** Rows per page; a shorter first page is the whole answer. */
export const PAGE_SIZE = 100;
/** New events refresh the top of the list at most this often; reloads wait this long. */
export const REFRESH_MS = 1000;
/** Pushed rows remembered to tell new events from status changes. */
const MAX_PUSHED = 10_000;

/** From the top ("top"), in place as events arrive ("live"), or at the new events ("new"). */
export type LoadMode = "top" | "live" | "new";

/** What the table shows: the filter and order of the last load shown, and its count. */
export interface View {
  filter: EventFilter;
  sort: HistorySort;
  total: number;
  /** The count is still running: `total` is the rows known so far. */
  counting: boolean;
  /** The count's page anchors, once the count arrived. */
  index: HistoryIndex | null;
  /** Matching events pushed since (above the rows when newest first). */
  newSinceLoad: number;
}

/** What runs once the load in flight is done (a reload takes in new rows too). */
export type Then = "nothing" | "refresh" | "reload";

/** A load in flight: its first page and its count, each arriving on its own. */
export interface Load {
  seq: number;
  filter: EventFilter;
  sort: HistorySort;
  mode: LoadMode;
  /** The count known before the scan (the same filter, counted), else null. */
  known: number | null;
  /** New events pushed when it started: if more came, the first page is stale for the count. */
  pushesBefore: number;
  page: StoredEvent[] | "waiting" | "skipped";
  index: HistoryIndex | null;
  /** The first page is on screen, the count not yet. */
  shown: boolean;
  then: Then;
}

/**
 * Live refreshes: "due" (a timer of 0 runs), "cooldown" (one ran less than REFRESH_MS ago),
 * "cooldown-due" (and another is wanted when it ends). Exactly one timer runs unless "ready".
 */
export type RefreshGate = "ready" | "due" | "cooldown" | "cooldown-due";

interface Common {
  /** Sequence number of the last load started: answers to older ones are dropped. */
  seq: number;
  /** New events pushed so far (any filter). */
  pushes: number;
  refresh: RefreshGate;
  /** A reload timer runs. */
  reloadTimer: boolean;
}

export type HistoryState = Common &
  (
    | { kind: "idle"; view: null }
    | { kind: "loading"; load: Load; view: View | null }
    | { kind: "loaded"; view: View }
  );

/** The state while a load is in flight. */
type Loading = HistoryState & { kind: "loading" };

export type Timer = "refresh" | "reload";

/** `watching`: the newest rows are in view (scrolled to the top, screen shown). */
export type HistoryEvent =
  | { type: "warm" }
  | { type: "open"; watching: boolean }
  | { type: "filter"; filter: EventFilter }
  | { type: "sort"; sort: HistorySort }
  | { type: "showNew" }
  | { type: "page"; seq: number; rows: StoredEvent[] }
  | { type: "count"; seq: number; index: HistoryIndex }
  | { type: "failed"; seq: number; error: unknown }
  | { type: "notice"; event: StoredEvent; isNew: boolean; watching: boolean }
  | { type: "moved"; watching: boolean }
  | { type: "resync" }
  | { type: "timer"; timer: Timer; watching: boolean };

export type HistoryEffect =
  | { type: "fetchPage"; seq: number; filter: EventFilter; sort: HistorySort }
  | { type: "fetchIndex"; seq: number; filter: EventFilter; sort: HistorySort }
  /** Reset the table to `total` rows (first page `rows` if known); `shift`: rows added above the selection. */
  | { type: "show"; total: number; rows: StoredEvent[] | null; keepPosition: boolean; shift: number; select: number | null }
  | { type: "failed"; error: unknown }
  | { type: "timer"; timer: Timer; ms: number };

export interface Step {
  state: HistoryState;
  effects: HistoryEffect[];
}

export function initialState(): HistoryState {
  return { kind: "idle", view: null, seq: 0, pushes: 0, refresh: "ready", reloadTimer: false };
}

/** The filter and order shown (the defaults before anything is). */
export function current(s: HistoryState): { filter: EventFilter; sort: HistorySort } {
  return { filter: s.view?.filter ?? EMPTY_FILTER, sort: s.view?.sort ?? "newest" };
}

/** A load the user asked for runs (the count says it is busy). */
export function isBusy(s: HistoryState): boolean {
  return s.kind === "loading" && s.load.mode !== "live";
}

/** The count as shown: empty before the first load. */
export function countLabel(s: HistoryState): string {
  if (s.view == null) return "";
  return s.view.counting ? `${countText(s.view.total)}+ (counting…)` : countText(s.view.total);
}

/** New events the pill offers to show (0: no pill; none while they are shown as they come). */
export function pillCount(s: HistoryState, watching: boolean): number {
  const n = s.view?.newSinceLoad ?? 0;
  return autoRefreshes(s, watching) ? 0 : n;
}

/**
 * The request for table rows from `offset`: a page whose first row's key is known starts
 * there (rows pushed since sit above it); otherwise, newest first, the pushed rows are skipped.
 */
export function pageRequest(s: HistoryState, offset: number): { filter: EventFilter; sort: HistorySort; offset: number; anchor: number | null } {
  const { filter, sort } = current(s);
  const index = s.view?.index ?? null;
  const anchor = index != null && offset % index.every === 0 ? (index.anchors[offset / index.every] ?? null) : null;
  const shift = anchor == null && sort === "newest" ? (s.view?.newSinceLoad ?? 0) : 0;
  return { filter, sort, offset: offset + shift, anchor };
}

/** Tells new events from changes of rows already seen (loaded, or pushed before). */
export function createSeenEvents(max = MAX_PUSHED): { noteRows(rows: readonly StoredEvent[]): void; notePushed(e: StoredEvent): boolean } {
  let maxSeenId = -Infinity;
  const pushed = new Set<string>();
  return {
    noteRows(rows) {
      for (const e of rows) if (e.id > maxSeenId) maxSeenId = e.id;
    },
    notePushed(e) {
      const key = String(e.id);
      const isNew = e.id > maxSeenId && !pushed.has(key);
      pushed.add(key);
      if (pushed.size > max) pushed.delete(pushed.values().next().value as string);
      return isNew;
    },
  };
}

const stay = (state: HistoryState): Step => ({ state, effects: [] });

function autoRefreshes(s: HistoryState, watching: boolean): boolean {
  return current(s).sort === "newest" && watching;
}

export function transition(s: HistoryState, e: HistoryEvent): Step {
  switch (e.type) {
    case "warm":
      return s.kind === "idle" ? startLoad(s, EMPTY_FILTER, "newest", "top") : stay(s);
    case "open":
      if (s.kind === "idle") return startLoad(s, EMPTY_FILTER, "newest", "top");
      return (s.view?.newSinceLoad ?? 0) > 0 && autoRefreshes(s, e.watching) ? requestRefresh(s) : stay(s);
    case "filter":
      return startLoad(s, e.filter, current(s).sort, "top");
    case "sort":
      return startLoad(s, current(s).filter, e.sort, "top");
    case "showNew":
      return startLoad(s, current(s).filter, current(s).sort, "new");
    case "page":
      return s.kind === "loading" && s.load.seq === e.seq ? pageArrived(s, s.load, e.rows) : stay(s);
    case "count":
      return s.kind === "loading" && s.load.seq === e.seq ? countArrived(s, e.index) : stay(s);
    case "failed":
      return s.kind === "loading" && s.load.seq === e.seq ? loadFailed(s, e.error) : stay(s);
    case "notice":
      return notice(s, e.event, e.isNew, e.watching);
    case "moved":
      return (s.view?.newSinceLoad ?? 0) > 0 && autoRefreshes(s, e.watching) ? requestRefresh(s) : stay(s);
    case "resync":
      return s.view != null ? requestReload(s) : stay(s);
    case "timer":
      return e.timer === "refresh" ? refreshTimer(s, e.watching) : reloadTimer(s);
  }
}

/** Starts a load, dropping the one in flight (what was to follow it follows this one). */
function startLoad(s: HistoryState, filter: EventFilter, sort: HistorySort, mode: LoadMode): Step {
  const seq = s.seq + 1;
  const v = s.view;
  // The same filter has the same rows: a new order or a live refresh knows their count
  // (plus those pushed since); the scan only brings page anchors and rows stored meanwhile.
  const known = mode !== "new" && v != null && !v.counting && sameFilter(filter, v.filter) ? v.total + v.newSinceLoad : null;
  const page = mode === "new" && sort === "oldest" ? "skipped" : "waiting";
  const then = s.kind === "loading" ? s.load.then : "nothing";
  const load: Load = { seq, filter, sort, mode, known, pushesBefore: s.pushes, page, index: null, shown: false, then };
  const effects: HistoryEffect[] = [{ type: "fetchIndex", seq, filter, sort }];
  if (page === "waiting") effects.unshift({ type: "fetchPage", seq, filter, sort });
  return { state: { ...s, seq, kind: "loading", load, view: v }, effects };
}

/** The first page of the load in flight arrived. */
function pageArrived(s: Loading, load: Load, rows: StoredEvent[]): Step {
  const l: Load = { ...load, page: rows };
  if (l.known != null) {
    const step = show({ ...s, load: { ...l, shown: true } }, Math.max(l.known, rows.length), rows, l.mode, false);
    // The count may have come first.
    return l.index == null ? step : andThen(step, countArrived(step.state, l.index));
  }
  if (rows.length < PAGE_SIZE) return finish(show(s, rows.length, settled(s, l, rows), l.mode, false));
  if (l.index != null) return finish(show(s, l.index.count, settled(s, l, rows), l.mode, false));
  // A large history: the page now, its count ("counting…") when the scan is done.
  return show({ ...s, load: { ...l, shown: true } }, rows.length, rows, l.mode, true);
}

/** The count of the load in flight arrived. */
function countArrived(s: Loading, index: HistoryIndex): Step {
  const n = index.count;
  const load: Load = { ...s.load, index };
  const st: Loading = { ...s, load };
  if (load.page === "waiting") return stay(st);
  if (load.page === "skipped") {
    // Only the new events, oldest first: the last row is the newest, selected.
    return finish(show(st, n, null, load.mode, false, true, n > 0 ? n - 1 : null));
  }
  const v = st.view;
  if (v == null) return finish(stay(st));
  const withIndex: Loading = { ...st, view: { ...v, index } };
  // Only the count is new: the selection stays on its row.
  if (v.counting || n !== v.total) return finish(show(withIndex, n, settled(st, load, load.page), "live", false, false));
  return finish(stay(withIndex));
}

/** The load in flight failed: it ends, saying what is known. */
function loadFailed(s: Loading, error: unknown): Step {
  const view = s.view != null && s.view.counting ? { ...s.view, counting: false } : s.view;
  const step = finish(stay({ ...s, view }));
  return { state: step.state, effects: [{ type: "failed", error }, ...step.effects] };
}

/**
 * The first page as the count and page anchors see it: if events were pushed while the count
 * ran, it is stale (null: page 0 is fetched again; seeding it would repeat rows at the page boundary).
 */
function settled(s: HistoryState, load: Load, rows: StoredEvent[]): StoredEvent[] | null {
  return s.pushes === load.pushesBefore ? rows : null;
}

/** Shows `n` rows of the load in flight; `added`: rows beyond the last count came in above. */
function show(s: Loading, n: number, rows: StoredEvent[] | null, mode: LoadMode, counting: boolean, added = true, select: number | null = null): Step & { state: Loading } {
  const before = s.view?.total ?? n;
  const { filter, sort, index } = s.load;
  const view: View = { filter, sort, total: n, counting, index, newSinceLoad: 0 };
  const live = mode === "live";
  return {
    state: { ...s, view },
    effects: [{ type: "show", total: n, rows, keepPosition: live, shift: live && added ? n - before : 0, select }],
  };
}

/** Ends the load in flight, then runs what was to follow it. */
function finish(step: Step): Step {
  const s = step.state;
  if (s.kind !== "loading") return step;
  const { load, ...rest } = s;
  const done: HistoryState = rest.view == null ? { ...rest, kind: "idle", view: null } : { ...rest, kind: "loaded", view: rest.view };
  const after = load.then === "refresh" ? requestRefresh(done) : load.then === "reload" ? requestReload(done) : stay(done);
  return { state: after.state, effects: [...step.effects, ...after.effects] };
}

/** `step`, then `more` (a step from `step.state`). */
function andThen(step: Step, more: Step): Step {
  return { state: more.state, effects: [...step.effects, ...more.effects] };
}

/** A pushed event: a new one (counted, refreshed in at the top) or a change of a row. */
function notice(s: HistoryState, e: StoredEvent, isNew: boolean, watching: boolean): Step {
  if (!isNew) {
    const v = s.view;
    // A row that left a status filter: the rows and their count are reloaded in place.
    return v != null && v.filter.status != null && e.status !== v.filter.status ? requestReload(s) : stay(s);
  }
  const counted: HistoryState = { ...s, pushes: s.pushes + 1 };
  if (counted.kind === "idle" || counted.view == null || !matchesFilter(e, counted.view.filter)) return stay(counted);
  const next: HistoryState = { ...counted, view: { ...counted.view, newSinceLoad: counted.view.newSinceLoad + 1 } };
  return autoRefreshes(next, watching) ? requestRefresh(next) : stay(next);
}

/** What is wanted follows the load in flight (a reload takes in new rows too). */
function follow(s: Loading, wanted: "refresh" | "reload"): Loading {
  return { ...s, load: { ...s.load, then: s.load.then === "reload" ? "reload" : wanted } };
}

/** A live refresh is wanted: after the load in flight, else at once unless one ran less than REFRESH_MS ago. */
function requestRefresh(s: HistoryState): Step {
  if (s.kind === "loading") return stay(follow(s, "refresh"));
  if (s.refresh === "ready") return { state: { ...s, refresh: "due" }, effects: [{ type: "timer", timer: "refresh", ms: 0 }] };
  if (s.refresh === "cooldown") return stay({ ...s, refresh: "cooldown-due" });
  return stay(s);
}

function refreshTimer(s: HistoryState, watching: boolean): Step {
  if (s.refresh === "ready" || s.refresh === "cooldown") return stay({ ...s, refresh: "ready" });
  // A load in flight shows the newest rows anyway, but may predate events pushed since.
  if (s.kind === "loading") return stay(follow({ ...s, refresh: "ready" }, "refresh"));
  const ready: HistoryState = { ...s, refresh: "ready" };
  if (!autoRefreshes(s, watching)) return stay(ready);
  const { filter, sort } = current(s);
  const step = startLoad({ ...ready, refresh: "cooldown" }, filter, sort, "live");
  return { state: step.state, effects: [...step.effects, { type: "timer", timer: "refresh", ms: REFRESH_MS }] };
}

/** Reloads the rows in place, wherever the view is scrolled: REFRESH_MS after the load in flight or now. */
function requestReload(s: HistoryState): Step {
  if (s.kind === "loading") return stay(follow(s, "reload"));
  if (s.reloadTimer) return stay(s);
  return { state: { ...s, reloadTimer: true }, effects: [{ type: "timer", timer: "reload", ms: REFRESH_MS }] };
}

function reloadTimer(s: HistoryState): Step {
  const next: HistoryState = { ...s, reloadTimer: false };
  if (next.kind === "loading") return stay(follow(next, "reload"));
  const { filter, sort } = current(next);
  return next.view == null ? stay(next) : startLoad(next, filter, sort, "live");
}
