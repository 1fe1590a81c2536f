// Live feed: newest events first, updated in place by id, capped, with Pause / Resume.
import { h, setText } from "../dom";
import { FeedModel, listenerNames, rowKey, type FeedOp } from "../feed-model";
import { contractText } from "../event-text";
import { formatArgs, formatFullLocalTime, formatLocalTime, formatRelativeTime } from "../format";
import type { StoredEvent } from "../bindings/StoredEvent";

const MAX_ROWS = 500;

function cell(cls: string, text: string, title?: string): HTMLTableCellElement {
  return h("td", { class: cls, title }, text);
}

/** A time cell's text and tooltip as of now ("14:03:22" today, "26 Nov 14:03" before). */
function timeTexts(blockTime: number): [string, string] {
  return [formatLocalTime(blockTime), `${formatFullLocalTime(blockTime)} (${formatRelativeTime(blockTime)})`];
}

function createRow(e: StoredEvent): HTMLTableRowElement {
  const time =
    e.blockTime == null
      ? cell("time muted", "—", "Block time not known yet")
      : cell("time mono", ...timeTexts(e.blockTime));
  const args = formatArgs(e.args, e.argNames, e.network);
  const contract = contractText(e);
  return h(
    "tr",
    {
      class: `feed-row status-${e.status}`,
      "data-testid": "feed-row",
      "data-event-id": e.id,
      "data-row-key": rowKey(e),
      "data-status": e.status,
      tabindex: 0,
    },
    time,
    h("td", { class: "status" }, h("span", { class: `chip chip-${e.status}` }, e.status)),
    cell("event", e.event, e.signature),
    cell("listener", listenerNames(e), `${listenerNames(e)} on ${e.network}`),
    cell("contract mono", contract.text, contract.title),
    cell("block mono", String(e.blockNumber), `Block ${e.blockNumber} · tx ${e.txHash} · log ${e.logIndex}`),
    cell("args mono", args, JSON.stringify(e.args, null, 1)),
  );
}

export interface FeedView {
  el: HTMLElement;
  /** A newly committed event or a change to one already known (same id). */
  upsert(event: StoredEvent): void;
  /** The address book changed: rows are drawn again with the labels. */
  relabel(): void;
}

/** `onOpen` is called with the event of a clicked row (or Enter on a focused row). */
export function createFeed(onOpen: (e: StoredEvent) => void = () => undefined): FeedView {
  const model = new FeedModel(MAX_ROWS);
  const rows = new Map<string, HTMLTableRowElement>();

  const tbody = h("tbody", {});
  const events = new Map<string, StoredEvent>();
  const openRow = (target: EventTarget | null): void => {
    const tr = (target as HTMLElement | null)?.closest("tr");
    const e = events.get(tr?.getAttribute("data-row-key") ?? "");
    if (e) onOpen(e);
  };
  tbody.addEventListener("click", (ev) => openRow(ev.target));
  tbody.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") openRow(ev.target);
  });
  const table = h(
    "table",
    { class: "feed-table" },
    h(
      "thead",
      {},
      h("tr", {}, ...["Time", "Status", "Event", "Listener", "Contract", "Block", "Arguments"].map((t) => h("th", {}, t))),
    ),
    tbody,
  );
  const empty = h("p", { class: "empty" }, "No events yet. They appear here as listeners match logs.");
  const shown = h("span", { class: "muted", "data-testid": "feed-count" });
  const newCount = h("span", { class: "new-count", "data-testid": "feed-new", hidden: true });
  const pauseButton = h("button", { class: "button", type: "button", "data-testid": "feed-pause", "aria-pressed": "false" }, "Pause");

  const el = h(
    "section",
    { class: "panel feed", "aria-labelledby": "feed-title" },
    h(
      "div",
      { class: "panel-head" },
      h("h2", { class: "panel-title", id: "feed-title" }, "Live feed"),
      shown,
      h("span", { class: "spacer" }),
      newCount,
      pauseButton,
    ),
    h("div", { class: "feed-scroll" }, table, empty),
  );

  function refreshChrome(): void {
    const n = model.visible.length;
    setText(shown, n === 0 ? "" : `${n} shown, newest first`);
    empty.hidden = n > 0;
    table.hidden = n === 0;
    const held = model.bufferedCount;
    newCount.hidden = !model.isPaused || held === 0;
    setText(newCount, `${held} new`);
    setText(pauseButton, model.isPaused ? "Resume" : "Pause");
    pauseButton.setAttribute("aria-pressed", String(model.isPaused));
    pauseButton.classList.toggle("active", model.isPaused);
  }

  function apply(ops: FeedOp[]): void {
    for (const op of ops) {
      if (op.type !== "remove") events.set(rowKey(op.event), op.event);
      else events.delete(op.key);
      if (op.type === "insert") {
        const row = createRow(op.event);
        rows.set(rowKey(op.event), row);
        const before = op.beforeKey == null ? null : (rows.get(op.beforeKey) ?? null);
        tbody.insertBefore(row, before);
      } else if (op.type === "update") {
        const old = rows.get(rowKey(op.event));
        const row = createRow(op.event);
        rows.set(rowKey(op.event), row);
        if (old) old.replaceWith(row);
      } else {
        rows.get(op.key)?.remove();
        rows.delete(op.key);
      }
    }
    refreshChrome();
  }

  pauseButton.addEventListener("click", () => {
    if (model.isPaused) apply(model.resume());
    else {
      model.pause();
      refreshChrome();
    }
  });

  // Times say "14:03:22" only for today, and "(5 min ago)": brought up to date every
  // minute while shown (a tray app's feed stays open for days).
  setInterval(() => {
    if (el.closest("[hidden]") != null) return;
    for (const row of tbody.rows) {
      const e = events.get(row.getAttribute("data-row-key") ?? "");
      const td = row.cells[0] as HTMLTableCellElement | undefined;
      if (e?.blockTime == null || td == null) continue;
      const [text, title] = timeTexts(e.blockTime);
      setText(td, text);
      td.title = title;
    }
  }, 60_000);

  refreshChrome();
  const relabel = (): void => {
    for (const [key, row] of rows) {
      const e = events.get(key);
      if (e == null) continue;
      const fresh = createRow(e);
      rows.set(key, fresh);
      row.replaceWith(fresh);
    }
  };
  return { el, upsert: (event) => apply(model.upsert(event)), relabel };
}
