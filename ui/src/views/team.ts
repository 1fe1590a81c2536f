// The Networks screen's Team section: subscriptions this app mirrors and streams it publishes to.
import { h, setText, syncKeyed } from "../dom";
import { teamRows, type TeamRow } from "../team-model";
import type { StreamStatus } from "../bindings/StreamStatus";
import type { SubscriptionStatus } from "../bindings/SubscriptionStatus";

interface RowEl extends HTMLElement {
  refs: { title: HTMLElement; lines: HTMLElement; key: string };
}

function create(row: TeamRow): RowEl {
  const refs = { title: h("h3", { class: "card-title" }), lines: h("ul", { class: "team-lines" }), key: "" };
  const el = h("article", { class: "card", "data-testid": "team-card", "data-key": row.key }, refs.title, refs.lines);
  return Object.assign(el, { refs });
}

function update(el: RowEl, row: TeamRow): void {
  setText(el.refs.title, row.title);
  el.dataset.state = row.state;
  el.classList.toggle("has-error", row.state === "problem");
  const key = JSON.stringify(row.lines);
  if (key !== el.refs.key) {
    el.refs.key = key;
    el.refs.lines.replaceChildren(...row.lines.map((l) => h("li", {}, l)));
  }
}

export interface TeamPanel {
  el: HTMLElement;
  update(streams: readonly StreamStatus[] | undefined, subscriptions: readonly SubscriptionStatus[] | undefined): void;
}

export function createTeamPanel(): TeamPanel {
  const list = h("div", { class: "cards" });
  const el = h("section", { class: "team", "data-testid": "team", hidden: true },
    h("h2", { class: "panel-title" }, "Team streams"), list);
  const rows = new Map<string, RowEl>();
  return {
    el,
    update(streams, subscriptions) {
      const all = teamRows(streams, subscriptions);
      syncKeyed(list, all, (r) => r.key, create, update, rows);
      el.hidden = all.length === 0;
    },
  };
}
