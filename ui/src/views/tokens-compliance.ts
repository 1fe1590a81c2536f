// The Tokens screen's Compliance section: an ERC-3643 token's frozen wallets, frozen amounts,
// agents, pause, recoveries and identities (a table with countries), and an ERC-1400 token's
// balances per partition, each entry since its block, its history opened on click.
import { h } from "../dom";
import {
  complianceSections, identityTable, partitionTable,
  type EntryLine, type IdentityTable, type PartitionLine, type RegisterSection,
} from "../compliance-model";
import type { TokensState, TokensEvent } from "../tokens-machine";
import type { TokenState } from "../bindings/TokenState";

type Dispatch = (e: TokensEvent) => void;

/** The entry's wallet as a button that opens its history. */
function whoButton(e: EntryLine, open: boolean, dispatch: Dispatch, ...rest: (Node | string)[]): HTMLElement {
  const button = h("button", { type: "button", class: "link", "aria-expanded": String(open), title: `${e.address}: the events that set it` },
    h("span", { class: "mono", "data-testid": "compliance-who" }, e.who), ...rest);
  button.addEventListener("click", () => dispatch({ type: "toggleEntry", entry: e.key }));
  return button;
}

function historyList(e: EntryLine): HTMLElement {
  return h("ol", { class: "balance-changes", "data-testid": "compliance-history" }, ...e.history.map((line) => h("li", {}, line)));
}

function entryItem(e: EntryLine, open: boolean, dispatch: Dispatch): HTMLElement {
  const button = whoButton(e, open, dispatch,
    h("span", { "data-testid": "compliance-value" }, ` ${e.value}`),
    h("span", { class: "muted", "data-testid": "compliance-since" }, ` ${e.since}`));
  return h("li", { "data-testid": "compliance-entry", "data-address": e.address }, button, open ? historyList(e) : null);
}

function sectionBlock(s: RegisterSection, state: TokensState, dispatch: Dispatch): HTMLElement {
  return h("div", { "data-register": s.register },
    h("h4", {}, s.title),
    s.entries.length === 0
      ? h("p", { class: "muted" }, s.empty)
      : h("ul", { class: "compliance-entries" }, ...s.entries.map((e) => entryItem(e, state.openEntry === e.key, dispatch))));
}

/** A table's rows: one per entry, its history in a row below when open. */
function rows<T extends EntryLine>(lines: T[], cells: (e: T) => HTMLElement[], width: number, state: TokensState, dispatch: Dispatch): HTMLElement[] {
  return lines.flatMap((e) => {
    const open = state.openEntry === e.key;
    const [first, ...rest] = cells(e);
    const row = h("tr", { "data-testid": "compliance-entry", "data-address": e.address },
      h("td", {}, whoButton(e, open, dispatch)), first, ...rest);
    return open ? [row, h("tr", {}, h("td", { colspan: String(width) }, historyList(e)))] : [row];
  });
}

function identityBlock(t: IdentityTable, state: TokensState, dispatch: Dispatch): HTMLElement {
  const cells = (e: (typeof t.rows)[number]) => [
    h("td", { class: "mono", "data-testid": "identity-id" }, e.identity),
    h("td", { "data-testid": "identity-country" }, e.country),
    h("td", { class: "muted", "data-testid": "compliance-since" }, e.since),
  ];
  return h("div", { "data-register": "identity" },
    h("h4", {}, "Identities"),
    h("p", { class: "help", "data-testid": "identity-source" }, t.source),
    t.rows.length === 0
      ? h("p", { class: "muted" }, t.empty)
      : h("table", { class: "feed-table", "data-testid": "identity-table" },
        h("thead", {}, h("tr", {}, h("th", {}, "Wallet"), h("th", {}, "Identity"), h("th", {}, "Country"), h("th", {}, "Since"))),
        h("tbody", {}, ...rows(t.rows, cells, 4, state, dispatch))));
}

function partitionBlock(lines: PartitionLine[], state: TokensState, dispatch: Dispatch): HTMLElement {
  const cells = (e: PartitionLine) => [
    h("td", { class: "mono", "data-testid": "partition-name" }, e.partition),
    h("td", { class: "num", "data-testid": "compliance-value" }, e.value),
    h("td", { class: "muted", "data-testid": "compliance-since" }, e.since),
  ];
  return h("div", { "data-register": "partition" },
    h("h4", {}, "Balances per partition"),
    lines.length === 0
      ? h("p", { class: "muted" }, "No partition has a balance.")
      : h("table", { class: "feed-table", "data-testid": "partition-table" },
        h("thead", {}, h("tr", {}, h("th", {}, "Holder"), h("th", {}, "Partition"), h("th", { class: "num" }, "Balance"), h("th", {}, "Since"))),
        h("tbody", {}, ...rows(lines, cells, 4, state, dispatch))));
}

/** The section, or null when the token has no register event. */
export function complianceSection(state: TokensState, t: TokenState, dispatch: Dispatch): HTMLElement | null {
  const c = state.compliance;
  if (c.kind === "failed") {
    return h("section", { "data-testid": "token-compliance" }, h("h3", {}, "Compliance"), h("p", { class: "form-error", role: "alert" }, c.message));
  }
  if (c.kind !== "loaded") return null;
  const sections = complianceSections(c.value, t);
  const identities = identityTable(c.value);
  const partitions = partitionTable(c.value, t);
  if (sections == null && identities == null && partitions == null) return null;
  return h("section", { "data-testid": "token-compliance" }, h("h3", {}, "Compliance"),
    ...(sections ?? []).map((s) => sectionBlock(s, state, dispatch)),
    identities == null ? "" : identityBlock(identities, state, dispatch),
    partitions == null ? "" : partitionBlock(partitions, state, dispatch));
}
