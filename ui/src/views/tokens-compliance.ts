// The Tokens screen's Compliance section: an ERC-3643 token's frozen wallets, frozen amounts,
// agents, pause and recoveries, each entry since its block, its history opened on click.
import { h } from "../dom";
import { complianceSections, type EntryLine, type RegisterSection } from "../compliance-model";
import type { TokensState, TokensEvent } from "../tokens-machine";
import type { TokenState } from "../bindings/TokenState";

function entryItem(e: EntryLine, open: boolean, dispatch: (e: TokensEvent) => void): HTMLElement {
  const button = h("button", { type: "button", class: "link", "aria-expanded": String(open), title: `${e.address}: the events that set it` },
    h("span", { class: "mono", "data-testid": "compliance-who" }, e.who),
    h("span", { "data-testid": "compliance-value" }, ` ${e.value}`),
    h("span", { class: "muted", "data-testid": "compliance-since" }, ` ${e.since}`));
  button.addEventListener("click", () => dispatch({ type: "toggleEntry", entry: e.key }));
  return h("li", { "data-testid": "compliance-entry", "data-address": e.address }, button,
    open ? h("ol", { class: "balance-changes", "data-testid": "compliance-history" }, ...e.history.map((line) => h("li", {}, line))) : null);
}

function sectionBlock(s: RegisterSection, state: TokensState, dispatch: (e: TokensEvent) => void): HTMLElement {
  return h("div", { "data-register": s.register },
    h("h4", {}, s.title),
    s.entries.length === 0
      ? h("p", { class: "muted" }, s.empty)
      : h("ul", { class: "compliance-entries" }, ...s.entries.map((e) => entryItem(e, state.openEntry === e.key, dispatch))));
}

/** The section, or null when the token has no register event. */
export function complianceSection(state: TokensState, t: TokenState, dispatch: (e: TokensEvent) => void): HTMLElement | null {
  const c = state.compliance;
  if (c.kind === "failed") {
    return h("section", { "data-testid": "token-compliance" }, h("h3", {}, "Compliance"), h("p", { class: "form-error", role: "alert" }, c.message));
  }
  if (c.kind !== "loaded") return null;
  const sections = complianceSections(c.value, t);
  if (sections == null) return null;
  return h("section", { "data-testid": "token-compliance" }, h("h3", {}, "Compliance"),
    ...sections.map((s) => sectionBlock(s, state, dispatch)));
}
