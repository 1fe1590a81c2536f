// Dependency-free SVG chart: events over time per listener as stacked bars, with axes, tooltips and legend.
import { h } from "./dom";
import { formatCount } from "./format";
import type { ListenerSeries } from "./bindings/ListenerSeries";

/** Colours come from the stylesheet (`--series-0` …), one per listener in legend order. */
const PALETTE_SIZE = 8;

/** Bucket starts covering `from`..`until`, aligned like the store's (multiples of `bucketSecs`). */
export function bucketStarts(from: number, until: number, bucketSecs: number): number[] {
  const b = Math.max(1, bucketSecs);
  const first = Math.floor(from / b) * b;
  const last = Math.floor(until / b) * b;
  const out: number[] = [];
  for (let t = first; t <= last; t += b) out.push(t);
  return out;
}

export interface Stacks {
  listeners: string[];
  /** counts[listener][bucket] */
  counts: number[][];
  /** Events per bucket, all listeners. */
  totals: number[];
  /** Events per listener over the window. */
  sums: number[];
}

/** Places each series' points into the buckets (points outside them are left out). */
export function stack(series: readonly ListenerSeries[], starts: readonly number[]): Stacks {
  const index = new Map(starts.map((t, i) => [t, i]));
  const listeners = series.map((s) => s.listener);
  const counts = series.map((s) => {
    const row: number[] = new Array<number>(starts.length).fill(0);
    for (const [t, n] of s.points) {
      const i = index.get(t);
      if (i != null) row[i] += n;
    }
    return row;
  });
  const totals = starts.map((_, i) => counts.reduce((sum, row) => sum + row[i], 0));
  const sums = counts.map((row) => row.reduce((a, b) => a + b, 0));
  return { listeners, counts, totals, sums };
}

/** Round steps for a count axis from 0 to at least `max`, about `target` of them: 37 -> 0,10,20,30,40. */
export function niceTicks(max: number, target = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / target;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude;
  const whole = Math.max(1, Math.round(step));
  const top = Math.ceil(max / whole) * whole;
  const ticks: number[] = [];
  for (let v = 0; v <= top; v += whole) ticks.push(v);
  return ticks;
}

const TIME_STEPS = [60, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800];

/**
 * Times to label between `from` and `until`: at most `target`, at a round local step (every
 * 10 minutes, 3 hours, day …), on the local clock (midnight where the user is, across DST
 * changes too). Returns the step too, for the label format.
 */
export function timeTicks(from: number, until: number, target = 6): { step: number; ticks: number[] } {
  const span = Math.max(1, until - from);
  const step = TIME_STEPS.find((s) => span / s <= target) ?? TIME_STEPS[TIME_STEPS.length - 1];
  const ticks: number[] = [];
  if (step < 3600) {
    const offset = -new Date(from * 1000).getTimezoneOffset() * 60;
    for (let t = Math.ceil((from + offset) / step) * step - offset; t <= until; t += step) ticks.push(t);
    return { step, ticks };
  }
  const days = step / 86_400;
  const hours = step / 3600;
  const d = new Date(from * 1000);
  d.setMinutes(0, 0, 0);
  if (days >= 1) d.setHours(0);
  const next = (): void => {
    if (days >= 1) d.setDate(d.getDate() + days);
    else d.setHours(d.getHours() + hours);
  };
  while (d.getTime() / 1000 < from || (days < 1 && d.getHours() % hours !== 0)) {
    if (days >= 1) d.setDate(d.getDate() + 1);
    else d.setHours(d.getHours() + 1);
  }
  for (; d.getTime() / 1000 <= until; next()) ticks.push(d.getTime() / 1000);
  return { step, ticks };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad2 = (n: number): string => String(n).padStart(2, "0");

/** A tick label in local time: "14:30", or the date ("4 Mar") at midnight and for whole-day steps. */
export function timeLabel(t: number, step: number): string {
  const d = new Date(t * 1000);
  const midnight = d.getHours() === 0 && d.getMinutes() === 0;
  if (step >= 86_400 || (midnight && step >= 3600)) return `${d.getDate()} ${MONTHS[d.getMonth()]}`;
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** "14:00–14:30" or "4 Mar 12:00–15:00": a bucket's span for its tooltip. */
export function bucketLabel(start: number, bucketSecs: number): string {
  const a = new Date(start * 1000);
  const b = new Date((start + bucketSecs) * 1000);
  const hm = (d: Date): string => `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  const day = `${a.getDate()} ${MONTHS[a.getMonth()]}`;
  return `${day} ${hm(a)}–${hm(b)}`;
}

/** Maps `domain` linearly onto `range`. */
export function scale(domain: [number, number], range: [number, number]): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

const SVG_NS = "http://www.w3.org/2000/svg";

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
  ...children: (Node | string)[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

export interface ChartInput {
  series: readonly ListenerSeries[];
  /** The window: `from`..`until`, Unix seconds. */
  from: number;
  until: number;
  bucketSecs: number;
  /** Accessible description, e.g. "Events per listener, last 24 hours". */
  label: string;
  /** Listener names in a stable order, so each keeps its colour whatever the window holds. */
  order?: readonly string[];
}

const MARGIN = { top: 10, right: 12, bottom: 22, left: 46 };

/** The chart (or a message when the window is empty) and its legend, `width` × `height` px. */
export function renderChart(input: ChartInput, width: number, height: number): HTMLElement {
  const starts = bucketStarts(input.from, input.until, input.bucketSecs);
  const s = stack(input.series, starts);
  const total = s.sums.reduce((a, b) => a + b, 0);
  if (total === 0) {
    const empty = h("p", { class: "chart-empty" }, "No events in this window.");
    empty.style.height = `${height}px`;
    return h("div", { class: "chart" }, empty);
  }

  const ticks = niceTicks(Math.max(...s.totals));
  const plotRight = Math.max(MARGIN.left + 10, width - MARGIN.right);
  const x = scale([starts[0], starts[starts.length - 1] + input.bucketSecs], [MARGIN.left, plotRight]);
  const y = scale([0, ticks[ticks.length - 1]], [height - MARGIN.bottom, MARGIN.top]);
  const order = input.order ?? [];
  const colour = (k: number): string => {
    const i = order.indexOf(s.listeners[k]);
    return `series-${(i >= 0 ? i : order.length + k) % PALETTE_SIZE}`;
  };
  const slot = (plotRight - MARGIN.left) / starts.length;
  const gap = slot > 6 ? Math.min(2, slot * 0.2) : 0;

  const grid = ticks.map((v) =>
    svg("g", { class: "chart-tick" },
      svg("line", { x1: MARGIN.left, x2: plotRight, y1: y(v), y2: y(v) }),
      svg("text", { x: MARGIN.left - 6, y: y(v), "text-anchor": "end", "dominant-baseline": "middle" }, formatCount(v))),
  );
  const labels = Math.max(2, Math.floor((plotRight - MARGIN.left) / 90));
  const { step, ticks: times } = timeTicks(starts[0], starts[starts.length - 1] + input.bucketSecs, labels);
  const axis = times.map((t) =>
    svg("text", { class: "chart-time", x: x(t), y: height - 6, "text-anchor": "middle" }, timeLabel(t, step)),
  );
  const bars = starts.map((t, i) => {
    const lines = s.listeners
      .map((name, k) => [name, s.counts[k][i]] as const)
      .filter(([, n]) => n > 0)
      .map(([name, n]) => `${name}: ${formatCount(n)}`);
    const g = svg("g", { class: "chart-bucket" },
      svg("title", {}, [bucketLabel(t, input.bucketSecs), ...lines, `Total: ${formatCount(s.totals[i])}`].join("\n")),
      svg("rect", { class: "chart-hit", x: x(t), y: MARGIN.top, width: slot, height: height - MARGIN.top - MARGIN.bottom }));
    let base = 0;
    s.counts.forEach((row, k) => {
      const n = row[i];
      if (n === 0) return;
      const top = y(base + n);
      g.append(svg("rect", {
        class: `chart-bar ${colour(k)}`,
        x: x(t) + gap / 2,
        y: top,
        width: Math.max(1, slot - gap),
        height: Math.max(0.5, y(base) - top),
      }));
      base += n;
    });
    return g;
  });
  const chart = svg(
    "svg",
    { class: "chart-svg", width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `${input.label}: ${formatCount(total)} events` },
    ...grid,
    svg("line", { class: "chart-axis", x1: MARGIN.left, x2: plotRight, y1: y(0), y2: y(0) }),
    ...bars,
    ...axis,
  );

  const legend = h(
    "ul",
    { class: "chart-legend" },
    ...s.listeners.map((name, k) =>
      h("li", { "data-listener": name },
        h("span", { class: `chart-swatch ${colour(k)}` }), name, " ",
        h("span", { class: "muted" }, formatCount(s.sums[k])))),
  );
  return h("div", { class: "chart" }, chart, legend);
}
