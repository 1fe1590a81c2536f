// Networks panel: one card per network with head, sync position, lag, endpoints and any error.
import { h, setAttr, setText, syncKeyed } from "../dom";
import { formatBlock, formatLag } from "../format";
import type { EndpointHealth } from "../bindings/EndpointHealth";
import type { NetworkStatus } from "../bindings/NetworkStatus";

const HEALTH_WORDS: Record<EndpointHealth, string> = {
  unknown: "not checked yet",
  ok: "healthy",
  rateLimited: "rate limited",
  down: "down",
  lagging: "behind the others",
};

interface Card extends HTMLElement {
  refs: {
    chain: HTMLElement;
    head: HTMLElement;
    synced: HTMLElement;
    lag: HTMLElement;
    endpoints: HTMLElement;
    error: HTMLElement;
    endpointsKey: string;
  };
}

function stat(label: string, value: HTMLElement): HTMLElement {
  return h("div", { class: "stat-cell" }, h("dt", {}, label), value);
}

function createCard(n: NetworkStatus): Card {
  const refs = {
    chain: h("span", { class: "muted" }),
    head: h("dd", { class: "mono", "data-testid": "network-head" }),
    synced: h("dd", { class: "mono" }),
    lag: h("dd"),
    endpoints: h("ul", { class: "endpoints" }),
    error: h("p", { class: "card-error", hidden: true }),
    endpointsKey: "",
  };
  const el = h(
    "article",
    { class: "card", "data-testid": "network-card", "data-network": n.name },
    h("header", { class: "card-head" }, h("h3", { class: "card-title" }, n.name), refs.chain),
    h("dl", { class: "stats" }, stat("Head", refs.head), stat("Synced to", refs.synced), stat("Lag", refs.lag)),
    refs.endpoints,
    refs.error,
  );
  return Object.assign(el, { refs });
}

function updateCard(card: Card, n: NetworkStatus): void {
  const r = card.refs;
  setText(r.chain, `chain ${String(n.chainId)}`);
  setText(r.head, formatBlock(n.head));
  setText(r.synced, formatBlock(n.syncedTo));
  setText(r.lag, formatLag(n.lag));
  setAttr(r.lag, "data-lag", n.lag == null ? null : String(n.lag));
  r.lag.className = n.lag != null && n.lag > 10 ? "warn" : "";

  const key = JSON.stringify(n.endpoints);
  if (key !== r.endpointsKey) {
    r.endpointsKey = key;
    r.endpoints.replaceChildren(
      ...n.endpoints.map((e) => {
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

  const error = n.error ?? "";
  setText(r.error, error);
  r.error.hidden = error === "";
  card.classList.toggle("has-error", error !== "");
}

export interface NetworksView {
  el: HTMLElement;
  update(networks: readonly NetworkStatus[]): void;
}

export function createNetworks(): NetworksView {
  const list = h("div", { class: "cards" });
  const empty = h("p", { class: "empty" }, "No networks configured.");
  const el = h("section", { class: "panel", "aria-labelledby": "networks-title" },
    h("h2", { class: "panel-title", id: "networks-title" }, "Networks"), list, empty);
  const cards = new Map<string, Card>();
  return {
    el,
    update(networks) {
      syncKeyed(list, networks, (n) => n.name, createCard, updateCard, cards);
      empty.hidden = networks.length > 0;
    },
  };
}
