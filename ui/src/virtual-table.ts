// A virtualised, keyboard-navigable grid of fixed-height rows over a lazily paged, cached source.
import { h, setAttr } from "./dom";

/** Browsers cap element heights (Firefox near 17.9 million px); taller lists are scaled into this. */
export const MAX_SCROLL_PX = 10_000_000;

/** How a list of rows maps onto the scroll container. */
export interface Geometry {
  rowCount: number;
  rowHeight: number;
  /** Height of the visible area, px. */
  viewport: number;
  /** Height of the scrolled spacer, px (the rows' total height, capped). */
  height: number;
  /** Content px per scroll px: 1 unless the list is scaled. */
  ratio: number;
}

export function geometry(rowCount: number, rowHeight: number, viewport: number, maxPx = MAX_SCROLL_PX): Geometry {
  const real = rowCount * rowHeight;
  const height = Math.min(real, maxPx);
  const maxScroll = Math.max(0, height - viewport);
  const maxOffset = Math.max(0, real - viewport);
  return { rowCount, rowHeight, viewport, height, ratio: maxScroll > 0 ? maxOffset / maxScroll : 1 };
}

/** The furthest content offset: the last row at the bottom of the view. */
export function maxOffset(g: Geometry): number {
  return Math.max(0, g.rowCount * g.rowHeight - g.viewport);
}

/** The content offset (px from the top of the first row) at the top of the view for a scroll position. */
export function offsetAt(scrollTop: number, g: Geometry): number {
  return Math.min(maxOffset(g), Math.max(0, scrollTop * g.ratio));
}

/** The scroll position that shows a content offset. */
export function scrollTopFor(offset: number, g: Geometry): number {
  return offset / g.ratio;
}

/** Rows `first` (inclusive) to `last` (exclusive) to draw at a content offset, `overscan` extra each side. */
export function visibleRange(offset: number, g: Geometry, overscan: number): { first: number; last: number } {
  if (g.rowCount === 0 || g.rowHeight <= 0) return { first: 0, last: 0 };
  const first = Math.max(0, Math.floor(offset / g.rowHeight) - overscan);
  const last = Math.min(g.rowCount, Math.ceil((offset + g.viewport) / g.rowHeight) + overscan);
  return { first, last: Math.max(first, last) };
}

/** The content offset that brings row `index` fully into view, moving as little as possible. */
export function offsetToReveal(index: number, offset: number, g: Geometry): number {
  const top = index * g.rowHeight;
  const bottom = top + g.rowHeight;
  if (top < offset) return top;
  if (bottom > offset + g.viewport) return Math.min(maxOffset(g), Math.max(0, bottom - g.viewport));
  return offset;
}

/** The pages holding rows `first`..`last` (exclusive). */
export function pagesFor(first: number, last: number, pageSize: number): number[] {
  const pages: number[] = [];
  if (last <= first) return pages;
  for (let p = Math.floor(first / pageSize); p <= Math.floor((last - 1) / pageSize); p++) pages.push(p);
  return pages;
}

/** Where a keyboard key moves the selection in a list of `count` rows showing `perPage` at once. */
export function keyTarget(key: string, selected: number | null, count: number, perPage: number): number | null {
  if (count === 0) return null;
  const at = selected ?? -1;
  const step = Math.max(1, perPage - 1);
  const moves: Record<string, number> = {
    ArrowDown: at + 1,
    ArrowUp: selected == null ? 0 : at - 1,
    PageDown: selected == null ? 0 : at + step,
    PageUp: at - step,
    Home: 0,
    End: count - 1,
  };
  const to = moves[key];
  return to == null ? null : Math.min(count - 1, Math.max(0, to));
}

/** Pages of rows, least recently used dropped first. */
export class PageCache<T> {
  private pages = new Map<number, T[]>();

  constructor(
    readonly pageSize: number,
    readonly maxPages: number,
  ) {}

  get size(): number {
    return this.pages.size;
  }

  has(page: number): boolean {
    return this.pages.has(page);
  }

  /** Row `index`, if its page is cached. */
  row(index: number): T | undefined {
    return this.pages.get(Math.floor(index / this.pageSize))?.[index % this.pageSize];
  }

  /** Marks a page as just used. */
  touch(page: number): void {
    const rows = this.pages.get(page);
    if (rows == null) return;
    this.pages.delete(page);
    this.pages.set(page, rows);
  }

  set(page: number, rows: T[]): void {
    this.pages.delete(page);
    this.pages.set(page, rows);
    for (const oldest of this.pages.keys()) {
      if (this.pages.size <= this.maxPages) break;
      this.pages.delete(oldest);
    }
  }

  /** Replaces rows in place: `change` returns the new row, or null to keep it. */
  patch(change: (row: T) => T | null): boolean {
    let changed = false;
    for (const rows of this.pages.values()) {
      rows.forEach((row, i) => {
        const next = change(row);
        if (next != null) {
          rows[i] = next;
          changed = true;
        }
      });
    }
    return changed;
  }

  clear(): void {
    this.pages.clear();
  }
}

export interface VirtualTableOptions<T> {
  /** Accessible name of the grid. */
  label: string;
  rowHeight: number;
  pageSize: number;
  /** Pages kept in memory. */
  maxPages: number;
  /** The header row, drawn above the rows and scrolled sideways with them. */
  header: HTMLElement;
  /** Rows `offset`..`offset + limit` of the source. */
  fetchPage(offset: number, limit: number): Promise<T[]>;
  /** A new, empty row element (reused for other rows as the view scrolls). */
  createRow(): HTMLElement;
  /** Fills a row element for `item`, or as a placeholder while it loads (null). */
  renderRow(el: HTMLElement, item: T | null, index: number): void;
  /** A row was clicked, or Enter was pressed on the selected row. */
  onOpen(item: T, index: number): void;
  /** A page could not be fetched. */
  onError(error: unknown): void;
  /** The view moved (scroll or selection). */
  onMove?(): void;
}

export interface VirtualTable<T> {
  el: HTMLElement;
  /**
   * Shows a new or refreshed source of `count` rows: cached pages are dropped (`seed` pages
   * are cached right away). Goes back to the top unless `keepPosition`; `shiftSelection` moves
   * the selection by that many rows (rows were added above it).
   */
  reset(count: number, options?: { keepPosition?: boolean; seed?: ReadonlyArray<[page: number, rows: T[]]>; shiftSelection?: number }): void;
  /** Draws every row again (e.g. after the columns changed). */
  redraw(): void;
  /** Replaces cached rows in place (`change` returns null to keep a row) and redraws those shown. */
  patch(change: (row: T) => T | null): void;
  /** True when the first row is in view. */
  atTop(): boolean;
  /** Re-measures the view (call when it becomes visible). */
  measure(): void;
  /** Scrolls so that row `index` is in view and selects it. */
  select(index: number): void;
}

interface Slot<T> {
  el: HTMLElement;
  index: number;
  item: T | null | undefined;
  drawn: number;
  /** Last applied position and selection, to write the DOM only on change. */
  y: number;
  selected: boolean;
}

const OVERSCAN = 8;
const MAX_IN_FLIGHT = 2;
const LINE_PX = 16;
/**
 * Rows asked for are drawn as placeholders only after this long: answers usually come
 * sooner, and drawing a frame of placeholders first costs as much as a frame of rows.
 */
const PLACEHOLDER_DELAY_MS = 80;
/** A page that failed to load is asked for again after this long, if still wanted. */
const RETRY_MS = 5_000;

let tables = 0;

function setStyle(el: HTMLElement, name: "height", value: string): void {
  if (el.style[name] !== value) el.style[name] = value;
}

export function createVirtualTable<T>(o: VirtualTableOptions<T>): VirtualTable<T> {
  const prefix = `vt${++tables}`;
  const cache = new PageCache<T>(o.pageSize, o.maxPages);
  const spacer = h("div", { class: "vt-spacer", role: "rowgroup" });
  // Out of the tab order: the grid takes the focus and the keys.
  const scroller = h("div", { class: "vt-scroll", tabindex: -1 }, spacer);
  const headerClip = h("div", { class: "vt-head", role: "rowgroup" }, o.header);
  const el = h("div", { class: "vt", role: "grid", tabindex: 0, "aria-label": o.label, "aria-rowcount": 1 }, headerClip, scroller);

  let count = 0;
  let viewport = 0;
  /** Content px at the top of the view; kept exactly, since scaled scroll positions round. */
  let offset = 0;
  /** The scroll position `offset` was last derived from or applied to (as the browser holds it). */
  let knownScrollTop = 0;
  let selected: number | null = null;
  /** Bumped on each reset: answers for an older source are dropped. */
  let generation = 0;
  /** Bumped by redraw: every shown row is drawn again. */
  let drawVersion = 0;
  const loading = new Set<number>();
  const failed = new Set<number>();
  let wanted: number[] = [];
  /** How many of `wanted` (the first ones) hold rows in view. */
  let wantedInView = 0;
  /** When each loading page was asked for. */
  const askedAt = new Map<number, number>();
  let placeholderTimer: ReturnType<typeof setTimeout> | null = null;
  const shown = new Map<number, Slot<T>>();
  const spare: Slot<T>[] = [];
  let frame = 0;

  const geo = (): Geometry => geometry(count, o.rowHeight, viewport);

  function setOffset(next: number): void {
    const g = geo();
    offset = Math.min(maxOffset(g), Math.max(0, next));
    scroller.scrollTop = scrollTopFor(offset, g);
    // The browser rounds what it is given: remember what it took, so the scroll event it sends
    // is not mistaken for the user's.
    knownScrollTop = scroller.scrollTop;
    draw();
  }

  function schedule(): void {
    if (frame === 0) frame = requestAnimationFrame(draw);
  }

  function draw(): void {
    if (frame !== 0) cancelAnimationFrame(frame);
    frame = 0;
    const g = geo();
    setStyle(spacer, "height", `${Math.round(g.height)}px`);
    watchWheel(g.ratio !== 1);
    offset = Math.min(offset, maxOffset(g));
    const scrollTop = scroller.scrollTop;
    const { first, last } = visibleRange(offset, g, OVERSCAN);
    want(first, last);
    if (awaitingRows()) return;

    // Rows that left the view take the place of those that entered it.
    const free: Slot<T>[] = [];
    for (const [i, slot] of shown) {
      if (i >= first && i < last) continue;
      shown.delete(i);
      free.push(slot);
    }
    for (let i = first; i < last; i++) {
      let slot = shown.get(i);
      if (slot == null) {
        slot = free.pop() ?? spare.pop() ?? newSlot();
        if (!slot.el.isConnected) spacer.append(slot.el);
        shown.set(i, slot);
      }
      const item = cache.row(i) ?? null;
      if (slot.index !== i || slot.item !== item || slot.drawn !== drawVersion) {
        o.renderRow(slot.el, item, i);
        slot.index = i;
        slot.item = item;
        slot.drawn = drawVersion;
        setAttr(slot.el, "id", `${prefix}-${i}`);
        setAttr(slot.el, "aria-rowindex", String(i + 2));
      }
      const y = scrollTop + i * o.rowHeight - offset;
      if (y !== slot.y) {
        slot.y = y;
        slot.el.style.transform = `translateY(${y}px)`;
      }
      if ((i === selected) !== slot.selected) {
        slot.selected = i === selected;
        slot.el.setAttribute("aria-selected", String(slot.selected));
      }
    }
    for (const slot of free) {
      slot.el.remove();
      spare.push(slot);
    }
    setAttr(el, "aria-activedescendant", selected != null && shown.has(selected) ? `${prefix}-${selected}` : null);

  }

  /**
   * True while a page in view was asked for less than PLACEHOLDER_DELAY_MS ago: drawing
   * then waits for it (or for the delay) instead of drawing placeholders first.
   */
  function awaitingRows(): boolean {
    const now = performance.now();
    let until = 0;
    for (const p of wanted.slice(0, wantedInView)) {
      const at = askedAt.get(p);
      if (at != null && loading.has(p)) until = Math.max(until, at + PLACEHOLDER_DELAY_MS);
    }
    if (until <= now) return false;
    if (placeholderTimer == null) {
      placeholderTimer = setTimeout(() => {
        placeholderTimer = null;
        schedule();
      }, until - now);
    }
    return true;
  }

  /**
   * Notes the pages rows `first`..`last` need, then those a quarter page either side, and
   * starts fetching them.
   */
  function want(first: number, last: number): void {
    const inView = pagesFor(first, last, o.pageSize);
    const around = pagesFor(Math.max(0, first - o.pageSize / 4), Math.min(count, last + o.pageSize / 4), o.pageSize);
    wanted = [...inView, ...around.filter((p) => !inView.includes(p))];
    wantedInView = inView.length;
    for (const p of wanted) cache.touch(p);
    pump();
  }

  function newSlot(): Slot<T> {
    const row = o.createRow();
    row.setAttribute("role", "row");
    row.classList.add("vt-row");
    row.style.height = `${o.rowHeight}px`;
    row.setAttribute("aria-selected", "false");
    return { el: row, index: -1, item: undefined, drawn: -1, y: Number.NaN, selected: false };
  }

  /** Starts fetching wanted pages a few at a time: those around the view once those in it are in. */
  function pump(): void {
    for (const [i, page] of wanted.entries()) {
      if (loading.size >= MAX_IN_FLIGHT) return;
      if (i >= wantedInView && wanted.slice(0, wantedInView).some((p) => loading.has(p))) return;
      if (cache.has(page) || loading.has(page) || failed.has(page)) continue;
      loading.add(page);
      askedAt.set(page, performance.now());
      const gen = generation;
      const start = page * o.pageSize;
      o.fetchPage(start, Math.min(o.pageSize, count - start)).then(
        (rows) => {
          if (gen !== generation) return;
          loading.delete(page);
          askedAt.delete(page);
          cache.set(page, rows);
          schedule();
        },
        (err: unknown) => {
          if (gen !== generation) return;
          loading.delete(page);
          askedAt.delete(page);
          failed.add(page);
          o.onError(err);
          setTimeout(() => {
            if (gen !== generation) return;
            failed.delete(page);
            pump();
          }, RETRY_MS);
          pump();
        },
      );
    }
  }

  function rowAt(target: EventTarget | null): number | null {
    const row = (target as Element | null)?.closest(".vt-row");
    for (const [i, slot] of shown) if (slot.el === row) return i;
    return null;
  }

  function select(index: number): void {
    selected = index;
    setOffset(offsetToReveal(index, offset, geo()));
    o.onMove?.();
  }

  function open(index: number): void {
    const item = cache.row(index);
    if (item != null) o.onOpen(item, index);
  }

  scroller.addEventListener("scroll", () => {
    const top = scroller.scrollTop;
    // Our own scrolls arrive at the position we read back; anything else is the user's.
    if (top !== knownScrollTop) offset = offsetAt(top, geo());
    knownScrollTop = top;
    headerClip.scrollLeft = scroller.scrollLeft;
    // Ask for the rows now; they are drawn on the next frame.
    const { first, last } = visibleRange(offset, geo(), OVERSCAN);
    want(first, last);
    schedule();
    o.onMove?.();
  });

  // Scaled lists would move several rows per wheel notch: scroll them by content pixels instead.
  // Only then, since a wheel listener that may cancel slows the browser's own scrolling.
  const onWheel = (ev: WheelEvent): void => {
    if (ev.ctrlKey) return;
    ev.preventDefault();
    const unit = ev.deltaMode === 1 ? LINE_PX : ev.deltaMode === 2 ? viewport : 1;
    scroller.scrollLeft += ev.deltaX * unit;
    setOffset(offset + ev.deltaY * unit);
    o.onMove?.();
  };
  let wheeling = false;
  function watchWheel(scaled: boolean): void {
    if (scaled === wheeling) return;
    wheeling = scaled;
    if (scaled) scroller.addEventListener("wheel", onWheel, { passive: false });
    else scroller.removeEventListener("wheel", onWheel);
  }

  spacer.addEventListener("click", (ev) => {
    const i = rowAt(ev.target);
    if (i == null) return;
    selected = i;
    draw();
    el.focus({ preventScroll: true });
    open(i);
  });

  el.addEventListener("keydown", (ev) => {
    if (ev.target !== el) return;
    if (ev.key === "Enter") {
      if (selected != null) open(selected);
      return;
    }
    const to = keyTarget(ev.key, selected, count, Math.floor(viewport / o.rowHeight));
    if (to == null) return;
    ev.preventDefault();
    select(to);
  });

  function measure(): void {
    viewport = scroller.clientHeight;
    draw();
  }
  new ResizeObserver(measure).observe(scroller);

  return {
    el,
    reset(next, options = {}) {
      generation++;
      count = next;
      cache.clear();
      loading.clear();
      askedAt.clear();
      failed.clear();
      for (const [page, rows] of options.seed ?? []) cache.set(page, rows);
      el.setAttribute("aria-rowcount", String(count + 1));
      if (selected != null) {
        const moved = selected + (options.shiftSelection ?? 0);
        selected = count === 0 ? null : Math.min(count - 1, Math.max(0, moved));
      }
      if (options.keepPosition) setOffset(offset);
      else {
        selected = null;
        setOffset(0);
      }
    },
    redraw() {
      drawVersion++;
      draw();
    },
    patch(change) {
      if (cache.patch(change)) draw();
    },
    atTop: () => offset < o.rowHeight / 2,
    measure,
    select,
  };
}
