// Listeners panel: a row per listener with its phase, backfill progress and counts.
import { h, setAttr, setText, syncKeyed } from "../dom";
import { backfillFraction, formatBlock, formatCount } from "../format";
import type { ListenerPhase } from "../bindings/ListenerPhase";
import type { ListenerStatus } from "../bindings/ListenerStatus";
import type { NetworkStatus } from "../bindings/NetworkStatus";

const PHASE_WORDS: Record<ListenerPhase, string> = {
  starting: "Starting",
  backfilling: "Backfilling",
  live: "Live",
  paused: "Paused",
  failed: "Failed",
};

const UNDECODABLE_TIP = "Logs with a watched topic that did not fit the ABI; counted, not dropped.";

interface Row extends HTMLElement {
  refs: {
    network: HTMLElement;
    phase: HTMLElement;
    progress: HTMLElement;
    bar: HTMLElement;
    progressText: HTMLElement;
    position: HTMLElement;
    events: HTMLElement;
    undecodable: HTMLElement;
  };
}

function createRow(l: ListenerStatus): Row {
  const bar = h("div", { class: "bar" });
  const refs = {
    network: h("span", { class: "muted" }),
    phase: h("span", { class: "badge" }),
    progress: h("div", { class: "progress", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": 100 }, bar),
    bar,
    progressText: h("span", { class: "progress-text mono" }),
    position: h("span", { class: "muted mono" }),
    events: h("span", { class: "count" }),
    undecodable: h("span", { class: "undecodable", title: UNDECODABLE_TIP }),
  };
  const el = h(
    "div",
    { class: "listener", "data-testid": "listener-row", "data-listener": l.name },
    h("div", { class: "listener-line" }, h("span", { class: "listener-name" }, l.name), refs.phase,
      h("span", { class: "spacer" }), refs.events),
    h("div", { class: "listener-line" }, refs.network, refs.progress, refs.progressText, refs.position,
      h("span", { class: "spacer" }), refs.undecodable),
  );
  return Object.assign(el, { refs });
}

function updateRow(row: Row, l: ListenerStatus, heads: Map<string, number | null>): void {
  const r = row.refs;
  setText(r.network, l.network);
  setText(r.phase, PHASE_WORDS[l.phase] ?? l.phase);
  r.phase.className = `badge phase-${l.phase}`;
  setAttr(row, "data-phase", l.phase);

  const head = heads.get(l.network) ?? null;
  const backfilling = l.phase === "backfilling";
  const fraction = backfilling ? backfillFraction(l.fromBlock, l.coveredTo, head) : null;
  r.progress.hidden = !backfilling;
  r.progressText.hidden = !backfilling;
  r.position.hidden = backfilling;
  if (backfilling) {
    const pct = fraction == null ? 0 : Math.floor(fraction * 100);
    r.bar.style.width = `${pct}%`;
    setAttr(r.progress, "aria-valuenow", String(pct));
    setText(r.progressText, fraction == null ? "…" : `${pct}%`);
    setAttr(r.progress, "title",
      `Blocks ${l.fromBlock} to ${formatBlock(l.coveredTo)} of ${formatBlock(head)} processed`);
  } else {
    setText(r.position, l.coveredTo == null ? `from ${l.fromBlock}` : `at ${l.coveredTo}`);
    setAttr(r.position, "title", `Processed blocks ${l.fromBlock} to ${formatBlock(l.coveredTo)}`);
  }

  setText(r.events, `${formatCount(l.events)} ${l.events === 1 ? "event" : "events"}`);
  r.undecodable.hidden = l.undecodable <= 0;
  setText(r.undecodable, l.undecodable > 0 ? `${formatCount(l.undecodable)} undecodable` : "");
}

export interface ListenersView {
  el: HTMLElement;
  update(listeners: readonly ListenerStatus[], networks: readonly NetworkStatus[]): void;
}

export function createListeners(): ListenersView {
  const list = h("div", { class: "listeners" });
  const empty = h("p", { class: "empty" }, "No listeners configured.");
  const el = h("section", { class: "panel", "aria-labelledby": "listeners-title" },
    h("h2", { class: "panel-title", id: "listeners-title" }, "Listeners"), list, empty);
  const rows = new Map<string, Row>();
  return {
    el,
    update(listeners, networks) {
      const heads = new Map(networks.map((n) => [n.name, n.head] as const));
      syncKeyed(list, listeners, (l) => l.name, createRow, (row, l) => updateRow(row, l, heads), rows);
      empty.hidden = listeners.length > 0;
    },
  };
}
