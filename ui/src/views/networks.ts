// Networks screen: a card per network (head, sync position, lag, endpoints, errors) with add, edit and remove.
import { h, setAttr, setText, syncKeyed } from "../dom";
import { HEALTH_WORDS, formatBlock, formatLag } from "../format";
import { toAppError, type Backend } from "../ipc";
import { createPanes } from "./panes";
import { button, confirmInline, errorBox } from "./form";
import { networkForm } from "./network-editor";
import type { ErrorSink, ScreenView } from "../screen";
import type { NetworkEntry } from "../bindings/NetworkEntry";
import type { NetworkStatus } from "../bindings/NetworkStatus";
import type { EngineStatus } from "../bindings/EngineStatus";
import { createTeamPanel } from "./team";

/** A configured network and what the engine reports about it (either may be missing). */
interface Item {
  name: string;
  entry: NetworkEntry | null;
  status: NetworkStatus | null;
  /** Whether any listener watches it (without one there is nothing to sync). */
  watched: boolean;
  /** Saved without checking its chain id: why. */
  warning?: string | null;
}

interface Card extends HTMLElement {
  item: Item;
  refs: {
    chain: HTMLElement;
    head: HTMLElement;
    synced: HTMLElement;
    lag: HTMLElement;
    endpoints: HTMLElement;
    error: HTMLElement;
    warning: HTMLElement;
    edit: HTMLButtonElement;
    remove: HTMLButtonElement;
    endpointsKey: string;
  };
}

function stat(label: string, value: HTMLElement): HTMLElement {
  return h("div", { class: "stat-cell" }, h("dt", {}, label), value);
}

function updateCard(card: Card, item: Item): void {
  card.item = item;
  const r = card.refs;
  const n = item.status;
  const chainId = n?.chainId ?? item.entry?.chain_id;
  setText(r.chain, chainId == null ? "" : `chain ${String(chainId)}`);
  setText(r.head, formatBlock(n?.head));
  setText(r.synced, item.watched ? formatBlock(n?.syncedTo) : "nothing to sync");
  setText(r.lag, item.watched ? formatLag(n?.lag) : "no listeners yet");
  setAttr(r.lag, "data-lag", n?.lag == null ? null : String(n.lag));
  r.lag.className = n?.lag != null && n.lag > 10 ? "warn" : "";
  r.edit.disabled = item.entry == null;
  r.remove.disabled = item.entry == null;

  const endpoints = n?.endpoints ?? [];
  const key = JSON.stringify(endpoints);
  if (key !== r.endpointsKey) {
    r.endpointsKey = key;
    r.endpoints.replaceChildren(
      ...endpoints.map((e) => {
        const words = HEALTH_WORDS[e.health] ?? e.health;
        const title = `${e.url}\n${e.lastError ? `${words}: ${e.lastError}` : words}`;
        return h(
          "li",
          { class: "endpoint", title },
          h("span", { class: `dot dot-${e.health}`, "aria-label": words }),
          h("span", { class: "url mono" }, e.url),
          e.health === "ok" ? null : h("span", { class: "muted endpoint-state" }, words),
        );
      }),
    );
  }

  const error = n == null ? "" : (n.error ?? "");
  setText(r.error, n == null ? "Not started yet: the engine picks up saved networks within a few seconds." : error);
  r.error.hidden = n != null && error === "";
  r.error.classList.toggle("muted", n == null);
  card.classList.toggle("has-error", error !== "");
  setText(r.warning, item.warning ?? "");
  r.warning.hidden = !item.warning;
}

export interface NetworksView extends ScreenView {
  shown(): void;
  update(networks: readonly NetworkStatus[]): void;
  /** Team streams and subscriptions (missing from an older engine's status). */
  updateTeam(status: Partial<Pick<EngineStatus, "streams" | "subscriptions">> | null): void;
  /** Opens the editor on a new network; `then` runs once it is saved (not when cancelled). */
  add(then?: () => void): void;
}

export function createNetworks(backend: Backend, errors: ErrorSink): NetworksView {
  const list = h("div", { class: "cards" });
  const team = createTeamPanel();
  const empty = h("p", { class: "empty" }, "No networks yet. Add one to start watching a chain.");
  const add = button("Add network", { "data-testid": "network-add" }, "primary");
  const listPane = h("div", { class: "list-pane" },
    h("div", { class: "panel-head" }, h("h2", { class: "panel-title", id: "networks-title" }, "Networks"),
      h("span", { class: "spacer" }), add),
    list, empty, team.el);
  const editorPane = h("div", { class: "editor-pane", hidden: true });
  const el = h("section", { class: "panel config-screen", "aria-labelledby": "networks-title" }, listPane, editorPane);
  const panes = createPanes(backend, errors, listPane, editorPane, add, render);
  const cards = new Map<string, Card>();
  /** Saved without a chain id check, until the engine connects to the network. */
  const warnings = new Map<string, string>();
  let statuses: readonly NetworkStatus[] = [];

  /** Configured networks in file order (what the engine runs when the file cannot be read). */
  function items(): Item[] {
    const byName = new Map(statuses.map((s) => [s.name, s] as const));
    const config = panes.config();
    if (config == null) return statuses.map((s) => ({ name: s.name, entry: null, status: s, watched: true }));
    const watched = new Set(config.listeners.map((l) => l.network));
    return config.networks.map((e) => ({ name: e.name, entry: e, status: byName.get(e.name) ?? null, watched: watched.has(e.name) }));
  }

  function render(): void {
    const all = items();
    for (const i of all) if (i.status?.head != null && i.status.error == null) warnings.delete(i.name);
    for (const name of warnings.keys()) if (!all.some((i) => i.name === name)) warnings.delete(name);
    for (const i of all) i.warning = warnings.get(i.name) ?? null;
    syncKeyed(list, all, (i) => i.name, createCard, updateCard, cards);
    // A desktop that only subscribes has networks, from its subscriptions.
    empty.hidden = all.length > 0 || !team.el.hidden;
  }

  function openEditor(entry: NetworkEntry | null, then?: () => void): void {
    panes.open(networkForm(backend, entry, (saved, note) => {
      if (note?.warning) warnings.set(note.network, note.warning);
      else if (note) warnings.delete(note.network);
      panes.close(saved);
      if (saved) then?.();
    }));
  }

  function createCard(first: Item): Card {
    const edit = button("Edit", { "data-testid": "network-edit" });
    const remove = button("Remove", { "data-testid": "network-remove" });
    const notice = h("div", { "data-testid": "network-remove-error" });
    const actions = h("div", { class: "card-actions" }, edit, remove);
    const refs = {
      chain: h("span", { class: "muted" }),
      head: h("dd", { class: "mono", "data-testid": "network-head" }),
      synced: h("dd", { class: "mono" }),
      lag: h("dd"),
      endpoints: h("ul", { class: "endpoints" }),
      error: h("p", { class: "card-error", hidden: true }),
      warning: h("p", { class: "card-warning", "data-testid": "network-save-warning", hidden: true }),
      edit,
      remove,
      endpointsKey: "",
    };
    const el = h(
      "article",
      { class: "card", "data-testid": "network-card", "data-network": first.name },
      h("header", { class: "card-head" }, h("h3", { class: "card-title" }, first.name), refs.chain,
        h("span", { class: "spacer" }), actions),
      h("dl", { class: "stats" }, stat("Head", refs.head), stat("Synced to", refs.synced), stat("Lag", refs.lag)),
      refs.endpoints,
      refs.error,
      refs.warning,
      notice,
    );
    const card: Card = Object.assign(el, { item: first, refs });
    edit.addEventListener("click", () => openEditor(card.item.entry));
    remove.addEventListener("click", () => {
      const name = card.item.name;
      notice.replaceChildren();
      // Refused before asking: nothing to confirm while listeners watch it.
      const users = (panes.config()?.listeners ?? []).filter((l) => l.network === name).map((l) => l.name);
      if (users.length > 0) {
        notice.replaceChildren(h("div", { class: "form-error", role: "alert" },
          h("p", {}, `${name} cannot be removed while listeners watch it: ${users.join(", ")}. Remove them or move them to another network first.`)));
        return;
      }
      confirmInline(actions, `Remove ${name}? Events already stored stay in History.`, "Remove", async () => {
        try {
          panes.set(await backend.removeNetwork(name));
        } catch (err) {
          notice.replaceChildren(errorBox(`${name} was not removed`, toAppError(err)));
        }
      });
    });
    return card;
  }

  add.addEventListener("click", () => openEditor(null));

  return {
    el,
    shown() {
      if (!panes.editing()) void panes.reload();
    },
    update(networks) {
      statuses = networks;
      render();
    },
    updateTeam(status) {
      team.update(status?.streams, status?.subscriptions);
      render();
    },
    add(then) {
      openEditor(null, then);
    },
  };
}
