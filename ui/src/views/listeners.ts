// Listeners screen: a row per listener (phase, backfill progress, counts) with pause, edit, duplicate and delete.
import { h, setAttr, setText, syncKeyed } from "../dom";
import { backfillFraction, formatBlock, formatCount } from "../format";
import { toAppError, type Backend } from "../ipc";
import { describeListener } from "../listener-model";
import { button, confirmInline, errorBox } from "./form";
import { openListenerEditor } from "./listener-editor";
import { createPanes } from "./panes";
import type { ErrorSink, ScreenView } from "../screen";
import type { ConfigView } from "../bindings/ConfigView";
import type { ListenerEntry } from "../bindings/ListenerEntry";
import type { ListenerPhase } from "../bindings/ListenerPhase";
import type { ListenerStatus } from "../bindings/ListenerStatus";
import type { NetworkStatus } from "../bindings/NetworkStatus";
import type { PackInfo } from "../bindings/PackInfo";

const PHASE_WORDS: Record<ListenerPhase, string> = {
  starting: "Starting",
  backfilling: "Backfilling",
  live: "Live",
  paused: "Paused",
  failed: "Failed",
};

const UNDECODABLE_TIP =
  "Logs with a watched topic that did not fit the ABI, or on which the condition failed (an overflow); counted, not dropped. The log file names the first one.";

/** A configured listener and what the engine reports about it (either may be missing). */
interface Item {
  name: string;
  entry: ListenerEntry | null;
  status: ListenerStatus | null;
}

interface Row extends HTMLElement {
  item: Item;
  refs: {
    network: HTMLElement;
    phase: HTMLElement;
    progress: HTMLElement;
    bar: HTMLElement;
    progressText: HTMLElement;
    position: HTMLElement;
    events: HTMLElement;
    undecodable: HTMLElement;
    about: HTMLElement;
    pause: HTMLButtonElement;
    actions: HTMLElement;
  };
}

function updateRow(row: Row, item: Item, heads: Map<string, number | null>): void {
  row.item = item;
  const r = row.refs;
  const l = item.status;
  const paused = item.entry?.paused ?? l?.phase === "paused";
  const phase: ListenerPhase = paused ? "paused" : (l?.phase ?? "starting");
  setText(r.network, item.entry?.network ?? l?.network ?? "");
  setText(r.phase, PHASE_WORDS[phase] ?? phase);
  r.phase.className = `badge phase-${phase}`;
  setAttr(row, "data-phase", phase);
  setText(r.about, item.entry ? describeListener(item.entry) : "");
  setText(r.pause, paused ? "Resume" : "Pause");
  setAttr(r.pause, "aria-label", `${paused ? "Resume" : "Pause"} ${item.name}`);
  for (const b of r.actions.querySelectorAll("button")) b.disabled = item.entry == null;

  const backfilling = l != null && phase === "backfilling";
  r.progress.hidden = !backfilling;
  r.progressText.hidden = !backfilling;
  r.position.hidden = backfilling || l == null;
  if (l != null && backfilling) {
    const head = heads.get(l.network) ?? null;
    const fraction = backfillFraction(l.fromBlock, l.coveredTo, head);
    const pct = fraction == null ? 0 : Math.floor(fraction * 100);
    r.bar.style.width = `${pct}%`;
    setAttr(r.progress, "aria-valuenow", String(pct));
    const covered = l.coveredTo == null ? 0 : l.coveredTo - l.fromBlock + 1;
    setText(r.progressText, fraction == null ? "…" : `${pct}% · ${formatCount(Math.max(0, covered))} blocks`);
    setAttr(r.progress, "title",
      `Blocks ${l.fromBlock} to ${formatBlock(l.coveredTo)} of ${formatBlock(head)} processed`);
  } else if (l != null) {
    setText(r.position, l.coveredTo == null ? `from block ${formatBlock(l.fromBlock)}` : `at block ${formatBlock(l.coveredTo)}`);
    setAttr(r.position, "title", `Processed blocks ${l.fromBlock} to ${formatBlock(l.coveredTo)}`);
  }

  const events = l?.events ?? 0;
  setText(r.events, l == null ? "" : `${formatCount(events)} ${events === 1 ? "event" : "events"}`);
  const undecodable = l?.undecodable ?? 0;
  r.undecodable.hidden = undecodable <= 0;
  setText(r.undecodable, undecodable > 0 ? `${formatCount(undecodable)} could not be decoded or evaluated` : "");
}

/** "usdc-transfers copy", "usdc-transfers copy 2", … whichever is free. */
function copyName(name: string, taken: readonly string[]): string {
  for (let i = 1; ; i++) {
    const candidate = i === 1 ? `${name} copy` : `${name} copy ${i}`;
    if (!taken.includes(candidate)) return candidate;
  }
}

export interface ListenersView extends ScreenView {
  shown(): void;
  update(listeners: readonly ListenerStatus[], networks: readonly NetworkStatus[]): void;
  /** Opens the editor on a new listener (or asks for a network first when there is none). */
  add(): void;
}

/** `needNetwork` is called instead of opening the editor when no network exists to watch. */
export function createListeners(backend: Backend, errors: ErrorSink, needNetwork: () => void): ListenersView {
  const list = h("div", { class: "listeners" });
  const empty = h("p", { class: "empty" }, "No listeners yet. Add one to watch token events.");
  const add = button("Add listener", { "data-testid": "listener-add" }, "primary");
  const listPane = h("div", { class: "list-pane" },
    h("div", { class: "panel-head" }, h("h2", { class: "panel-title", id: "listeners-title" }, "Listeners"),
      h("span", { class: "spacer" }), add),
    list, empty);
  const editorPane = h("div", { class: "editor-pane", hidden: true });
  const el = h("section", { class: "panel config-screen", "aria-labelledby": "listeners-title" }, listPane, editorPane);
  const panes = createPanes(backend, errors, listPane, editorPane, add, render);
  const rows = new Map<string, Row>();
  let packs: PackInfo[] | null = null;
  let statuses: readonly ListenerStatus[] = [];
  let heads = new Map<string, number | null>();

  function items(): Item[] {
    const byName = new Map(statuses.map((s) => [s.name, s] as const));
    const config = panes.config();
    if (config == null) return statuses.map((s) => ({ name: s.name, entry: null, status: s }));
    return config.listeners.map((e) => ({ name: e.name, entry: e, status: byName.get(e.name) ?? null }));
  }

  function render(): void {
    const all = items();
    syncKeyed(list, all, (i) => i.name, createRow, (row, i) => updateRow(row, i, heads), rows);
    empty.hidden = all.length > 0;
  }

  /** Opens the editor on `entry` (saved as a new listener when `original` is null). */
  async function openEditor(original: string | null, entry: ListenerEntry | null): Promise<void> {
    try {
      const [view, presets] = await Promise.all([backend.configView(), packs ?? backend.eventPresets()]);
      panes.set(view);
      packs = presets;
      errors.clear("listener_editor");
      if (original == null && view.networks.length === 0) {
        needNetwork();
        return;
      }
      // Edit what the file says now, not what this screen last loaded.
      const current = original == null ? entry : (view.listeners.find((l) => l.name === original) ?? entry);
      panes.open(openListenerEditor(backend, { view, packs: presets, original, entry: current }, panes.close));
    } catch (err) {
      errors.show("listener_editor", toAppError(err));
    }
  }

  function createRow(first: Item): Row {
    const bar = h("div", { class: "bar" });
    const pause = button("Pause", { "data-testid": "listener-pause" });
    const edit = button("Edit", { "data-testid": "listener-edit" });
    const duplicate = button("Duplicate", { "data-testid": "listener-duplicate" });
    const remove = button("Delete", { "data-testid": "listener-delete" });
    const actions = h("div", { class: "row-actions" }, pause, edit, duplicate, remove);
    const notice = h("div", { "data-testid": "listener-error" });
    const refs = {
      network: h("span", { class: "muted" }),
      phase: h("span", { class: "badge" }),
      progress: h("div", { class: "progress", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": 100 }, bar),
      bar,
      progressText: h("span", { class: "progress-text mono" }),
      position: h("span", { class: "muted mono", "data-testid": "listener-position" }),
      events: h("span", { class: "count" }),
      undecodable: h("span", { class: "undecodable", title: UNDECODABLE_TIP }),
      about: h("div", { class: "listener-about muted" }),
      pause,
      actions,
    };
    const el = h(
      "div",
      { class: "listener", "data-testid": "listener-row", "data-listener": first.name },
      h("div", { class: "listener-line" }, h("span", { class: "listener-name" }, first.name), refs.phase,
        h("span", { class: "spacer" }), refs.events, actions),
      h("div", { class: "listener-line" }, refs.network, refs.progress, refs.progressText, refs.position,
        h("span", { class: "spacer" }), refs.undecodable),
      refs.about,
      notice,
    );
    const row: Row = Object.assign(el, { item: first, refs });
    const act = async (what: string, run: () => Promise<ConfigView>): Promise<void> => {
      notice.replaceChildren();
      try {
        panes.set(await run());
      } catch (err) {
        notice.replaceChildren(errorBox(what, toAppError(err)));
      }
    };
    let pausing = false;
    pause.addEventListener("click", () => {
      const entry = row.item.entry;
      if (!entry || pausing) return;
      pausing = true;
      void act(`${entry.name} was not ${entry.paused ? "resumed" : "paused"}`,
        () => backend.setPaused(entry.name, !entry.paused)).finally(() => (pausing = false));
    });
    edit.addEventListener("click", () => void openEditor(row.item.name, row.item.entry));
    duplicate.addEventListener("click", () => {
      const entry = row.item.entry;
      if (!entry) return;
      const taken = panes.config()?.listeners.map((l) => l.name) ?? [];
      void openEditor(null, { ...entry, name: copyName(entry.name, taken) });
    });
    remove.addEventListener("click", () => {
      const name = row.item.name;
      notice.replaceChildren();
      confirmInline(actions, `Delete ${name}? Its stored events stay in History.`, "Delete",
        () => act(`${name} was not deleted`, () => backend.removeListener(name)));
    });
    return row;
  }

  add.addEventListener("click", () => void openEditor(null, null));

  return {
    el,
    shown() {
      if (!panes.editing()) void panes.reload();
    },
    update(listeners, networks) {
      statuses = listeners;
      heads = new Map(networks.map((n) => [n.name, n.head] as const));
      render();
    },
    add() {
      void openEditor(null, null);
    },
  };
}
