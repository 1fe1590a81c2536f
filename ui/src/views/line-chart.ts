// A small SVG step chart: one value over time (supply, a balance), with marks where it rose or fell.
import { formatFullLocalTime } from "../format";

const SVG = "http://www.w3.org/2000/svg";

export interface Step {
  time: number;
  value: number;
  /** The text of this point's tooltip. */
  title: string;
  /** Whether the value rose (a mint, money in) or fell here. */
  kind: "up" | "down" | "flat";
}

function node(tag: string, attrs: Record<string, string | number>): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** Draws the chart; `label` names it for screen readers. */
export function renderSteps(points: readonly Step[], label: string, width = 560, height = 120): SVGElement {
  const svg = node("svg", { viewBox: `0 0 ${String(width)} ${String(height + 4)}`, role: "img", "aria-label": label, class: "line-chart" });
  let d = "";
  if (points.length > 0) {
    const t0 = points[0].time;
    const t1 = Math.max(t0 + 1, points[points.length - 1].time);
    const max = Math.max(1e-9, ...points.map((p) => p.value));
    const x = (t: number): number => ((t - t0) / (t1 - t0)) * (width - 8) + 4;
    const y = (v: number): number => height - (Math.max(0, v) / max) * (height - 8) + 2;
    let prev = height + 2;
    for (const p of points) {
      const px = x(p.time);
      d += d === "" ? `M${px.toFixed(1)} ${prev.toFixed(1)}` : ` L${px.toFixed(1)} ${prev.toFixed(1)}`;
      prev = y(p.value);
      d += ` L${px.toFixed(1)} ${prev.toFixed(1)}`;
      const mark = node("circle", { cx: px.toFixed(1), cy: prev.toFixed(1), r: 3, class: `mark mark-${p.kind}` });
      const tip = node("title", {});
      tip.textContent = `${formatFullLocalTime(p.time)}: ${p.title}`;
      mark.append(tip);
      svg.append(mark);
    }
    d += ` L${String(width - 4)} ${prev.toFixed(1)}`;
  }
  svg.prepend(node("path", { d, class: "line", fill: "none" }));
  return svg;
}
