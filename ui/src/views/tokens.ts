// Tokens screen: every token with stored transfers or registers; for the chosen one its supply (minted,
// burned, over time), holders, how complete its history is, how it compares with the chain,
// its largest holders, the register at a block or date with Export CSV, one address's balance,
// and an ERC-3643 token's compliance registers.
import { h } from "../dom";
import { formatAddress, formatCount, formatLocalTime } from "../format";
import { toAppError, type Backend } from "../ipc";
import { onBookChange } from "../labels";
import { TOP_HOLDERS, SUPPLY_BUCKETS, initialState, selectedToken, transition, type TokenKey, type TokensEffect, type TokensEvent, type TokensPart } from "../tokens-machine";
import { atText, completeness, holderChart, parseRegisterAt, reconciliation, shareText, tokenName, units, unitsNumber } from "../tokens-model";
import { renderSteps } from "./line-chart";
import { complianceSection } from "./tokens-compliance";
import type { ErrorSink, ScreenView } from "../screen";
import type { HolderRow } from "../bindings/HolderRow";
import type { TokenState } from "../bindings/TokenState";

export interface TokensView extends ScreenView {
  /** Shows an address's balance over time in a token (from History, the detail, a holder row). */
  openAddress(network: string, token: string, address: string): void;
}

/** What a holder row or an address offers elsewhere in the window. */
export interface AddressActions {
  label(address: string, network: string): void;
  events(address: string, network: string): void;
}

/** How long after asking for a check the token list is read again. */
const CHECK_SETTLE_MS = 3_000;

export function createTokens(backend: Backend, errors: ErrorSink, actions: AddressActions): TokensView {
  let state = initialState();
  const list = h("ul", { class: "token-list", "data-testid": "token-list" });
  const detail = h("div", { class: "token-detail", "data-testid": "token-detail" });
  const empty = h("p", { class: "muted", "data-testid": "tokens-empty", hidden: true },
    "No token transfers are stored yet. A listener with erc20:Transfer on a token (from block 0 for its whole history) fills this screen.");
  const el = h("section", { class: "panel tokens", "aria-labelledby": "tokens-title" }, h("h2", { class: "panel-title", id: "tokens-title" }, "Tokens"), empty, h("div", { class: "tokens-layout" }, list, detail));
  const registerInput = h("input", { class: "input mono", name: "at", autocomplete: "off", placeholder: "newest block, a block number or a UTC date", "aria-label": "Register at" });
  let registerNote = "";
  // "Check against the chain now": the engine checks at its next step; the list is read
  // again a few seconds later with the result.
  const checkNow = h("button", { type: "button", class: "button", "data-testid": "token-check-now" }, "Check against the chain now");
  let checkNote = "";
  checkNow.addEventListener("click", () => {
    checkNote = "Checking at the next block…";
    render();
    backend.checkTokens().then(
      () => window.setTimeout(() => {
        checkNote = "";
        dispatch({ type: "open" });
      }, CHECK_SETTLE_MS),
      (err: unknown) => {
        checkNote = toAppError(err).message;
        render();
      },
    );
  });

  function dispatch(e: TokensEvent): void {
    const step = transition(state, e);
    state = step.state;
    render();
    for (const effect of step.effects) run(effect);
  }

  function run(effect: TokensEffect): void {
    const failed = (part: TokensPart, key: TokenKey) => (err: unknown) =>
      dispatch({ type: "failed", part, key, message: toAppError(err).message });
    switch (effect.type) {
      case "fetchTokens":
        backend.tokenStates().then(
          (tokens) => {
            errors.clear("token_states");
            dispatch({ type: "tokens", tokens });
          },
          (err: unknown) => {
            errors.show("token_states", toAppError(err));
            dispatch({ type: "tokensFailed", message: toAppError(err).message });
          },
        );
        return;
      case "fetchTop":
        backend.topHolders(effect.key.network, effect.key.token, TOP_HOLDERS).then(
          (rows) => dispatch({ type: "top", key: effect.key, rows }), failed("top", effect.key));
        return;
      case "fetchSupply":
        backend.supplySeries(effect.key.network, effect.key.token, SUPPLY_BUCKETS).then(
          (series) => dispatch({ type: "supply", key: effect.key, series }), failed("supply", effect.key));
        return;
      case "fetchHolders":
        backend.holderSeries(effect.key.network, effect.key.token, SUPPLY_BUCKETS).then(
          (series) => dispatch({ type: "holders", key: effect.key, series }), failed("holders", effect.key));
        return;
      case "fetchCompliance":
        backend.tokenRegisters(effect.key.network, effect.key.token).then(
          (registers) => dispatch({ type: "compliance", key: effect.key, registers }), failed("compliance", effect.key));
        return;
      case "fetchRegister": {
        const { at } = effect;
        const block = at.kind === "block" ? at.block : null;
        const time = at.kind === "time" ? at.time : null;
        backend.holderRegister(effect.key.network, effect.key.token, block, time).then(
          (page) => dispatch({ type: "register", key: effect.key, at, page }), failed("register", effect.key));
        return;
      }
      case "fetchAddress":
        backend.addressHistory(effect.key.network, effect.key.token, effect.address).then(
          (history) => dispatch({ type: "address", key: effect.key, address: effect.address, history }), failed("address", effect.key));
        return;
    }
  }

  function tokenItem(t: TokenState): HTMLElement {
    const selected = selectedToken(state);
    const rec = reconciliation(t);
    const b = h("button", { type: "button", class: "token-item", "data-token": `${t.network}:${t.token}`, "aria-current": selected === t ? "true" : "false" },
      h("span", { class: "token-name" }, tokenName(t)),
      h("span", { class: "muted" }, ` ${t.network} · ${t.registersOnly ? "registers" : `${formatCount(t.holders)} holders`}`),
      t.complete || t.registersOnly ? null : h("span", { class: "chip chip-pending" }, "partial"),
      rec.state === "mismatch" ? h("span", { class: "chip chip-removed" }, "mismatch") : null);
    b.addEventListener("click", () => dispatch({ type: "select", key: { network: t.network, token: t.token } }));
    return h("li", {}, b);
  }

  function holderTable(rows: readonly HolderRow[], t: TokenState, testid: string): HTMLElement {
    return h("table", { class: "feed-table holders", "data-testid": testid },
      h("thead", {}, h("tr", {}, h("th", {}, "Holder"), h("th", { class: "num" }, "Balance"), h("th", { class: "num" }, "Share"), h("th", {}, ""))),
      h("tbody", {}, ...rows.map((r) => {
        const who = h("button", { type: "button", class: "link mono", title: `${r.address}: balance over time` }, formatAddress(r.address, t.network));
        who.addEventListener("click", () => dispatch({ type: "openAddress", key: t, address: r.address }));
        const label = h("button", { type: "button", class: "button small", "data-testid": "holder-label" }, "Label…");
        label.addEventListener("click", () => actions.label(r.address, t.network));
        return h("tr", { "data-address": r.address },
          h("td", { "data-testid": "holder-address" }, who),
          h("td", { class: "num", title: `raw ${r.balance}` }, units(r.balance, t)),
          h("td", { class: "num", "data-testid": "holder-share" }, shareText(r.share)),
          h("td", {}, label));
      })));
  }

  function loadable<T>(l: { kind: string; value?: T; message?: string }, show: (v: T) => Node): Node {
    if (l.kind === "loaded") return show(l.value as T);
    if (l.kind === "failed") return h("p", { class: "form-error", role: "alert" }, l.message ?? "");
    return h("p", { class: "muted" }, "Loading…");
  }

  function supplySection(t: TokenState): HTMLElement {
    return h("section", { "data-testid": "token-supply-chart" }, h("h3", {}, "Supply over time"),
      loadable(state.supply, (s) => {
        if (s.points.length === 0) return h("p", { class: "muted" }, "No mints or burns stored.");
        const mints = s.points.reduce((n, p) => n + p.mints, 0);
        const burns = s.points.reduce((n, p) => n + p.burns, 0);
        const steps = s.points.map((p) => ({
          time: p.time,
          value: unitsNumber(p.supply, t.decimals),
          kind: p.minted !== "0" ? ("up" as const) : p.burned !== "0" ? ("down" as const) : ("flat" as const),
          title: `supply ${units(p.supply, t)} (minted ${units(p.minted, t)}, burned ${units(p.burned, t)})`,
        }));
        return h("div", {}, renderSteps(steps, "Supply over time"),
          h("p", { class: "muted", "data-testid": "supply-note" }, `${formatCount(mints)} mints and ${formatCount(burns)} burns stored`));
      }),
      h("h3", {}, "Holders over time"),
      h("div", { "data-testid": "token-holder-chart" }, loadable(state.holders, (s) => {
        const chart = holderChart(s);
        if (chart == null) return h("p", { class: "muted" }, "No transfers stored.");
        return h("div", {}, renderSteps(chart.steps, "Holders over time"), h("p", { class: "muted", "data-testid": "holder-note" }, chart.note));
      })));
  }

  function registerSection(t: TokenState): HTMLElement {
    const show = h("button", { class: "button", type: "submit", "data-testid": "register-show" }, "Show");
    const exportButton = h("button", { class: "button", type: "button", "data-testid": "register-export" }, "Export CSV…");
    const form = h("form", { class: "register-form" }, registerInput, show, exportButton);
    const at = (): ReturnType<typeof parseRegisterAt> => {
      const parsed = parseRegisterAt(registerInput.value);
      if (parsed == null) {
        registerNote = `“${registerInput.value}” is not a block number nor a date (2024-05-01 or 2024-05-01 12:00, UTC).`;
        render();
      }
      return parsed;
    };
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const parsed = at();
      if (parsed) dispatch({ type: "registerAt", at: parsed });
    });
    exportButton.addEventListener("click", () => {
      const parsed = at();
      if (parsed == null) return;
      const page = state.register?.page;
      // A date is exported at the block the register was shown at.
      const block = parsed.kind === "block" ? parsed.block : parsed.kind === "time" && page?.kind === "loaded" ? page.value.block : null;
      if (parsed.kind === "time" && block == null) {
        registerNote = "Show the register at that date first: it is exported at the block it was taken at.";
        render();
        return;
      }
      backend.exportRegister(t.network, t.token, block).then((done) => {
        registerNote = done == null ? "" : `Exported ${formatCount(done.rows)} holders to ${done.path}`;
        render();
      }, (err: unknown) => {
        registerNote = toAppError(err).message;
        render();
      });
    });
    const r = state.register;
    return h("section", {}, h("h3", {}, "Holder register"), form,
      h("p", { class: "muted", "data-testid": "register-note", "aria-live": "polite" }, registerNote),
      r == null ? null : loadable(r.page, (p) => h("div", {},
        h("p", { "data-testid": "register-summary" }, `${formatCount(p.holders)} holders ${atText(r.at)} (block ${formatCount(p.block)})${p.rows.length < p.holders ? `; the largest ${formatCount(p.rows.length)} shown, the export has them all` : ""}`),
        holderTable(p.rows, t, "register-table"))));
  }

  function addressSection(t: TokenState): HTMLElement | null {
    const a = state.address;
    if (a == null) return null;
    const close = h("button", { class: "button", type: "button" }, "Close");
    close.addEventListener("click", () => dispatch({ type: "closeAddress" }));
    const events = h("button", { class: "button", type: "button", "data-testid": "address-events" }, "Its events in History");
    events.addEventListener("click", () => actions.events(a.address, t.network));
    const label = h("button", { class: "button", type: "button" }, "Label…");
    label.addEventListener("click", () => actions.label(a.address, t.network));
    return h("section", { class: "address-view", "data-testid": "address-view" },
      h("h3", {}, `${formatAddress(a.address, t.network)} in ${tokenName(t)}`),
      h("p", { class: "mono muted" }, a.address),
      h("div", { class: "actions" }, events, label, close),
      loadable(a.history, (hist) => h("div", {},
        h("p", { "data-testid": "address-balance" }, `Balance ${units(hist.balance, t)} after ${formatCount(hist.transfers)} transfers`),
        renderSteps(hist.points.map((p) => ({
          time: p.time ?? 0,
          value: unitsNumber(p.balance, t.decimals),
          kind: p.change.startsWith("-") ? ("down" as const) : ("up" as const),
          title: `${p.change.startsWith("-") ? "" : "+"}${units(p.change, t)} → ${units(p.balance, t)} (block ${String(p.block)})`,
        })), "Balance over time"),
        h("ol", { class: "balance-changes" }, ...hist.points.slice(-20).reverse().map((p) =>
          h("li", {}, `${p.time == null ? `block ${String(p.block)}` : formatLocalTime(p.time)}: ${p.change.startsWith("-") ? "" : "+"}${units(p.change, t)} → ${units(p.balance, t)}`))))));
  }

  function summary(t: TokenState): HTMLElement {
    const c = completeness(t);
    const rec = reconciliation(t);
    const row = (name: string, value: string, testid: string): HTMLElement =>
      h("div", { class: "detail-row" }, h("dt", {}, name), h("dd", { "data-testid": testid }, value));
    return h("dl", { class: "token-summary" },
      row("Supply", units(t.supply, t), "token-supply"),
      row("Minted", units(t.minted, t), "token-minted"),
      row("Burned", units(t.burned, t), "token-burned"),
      row("Holders", formatCount(t.holders), "token-holders"),
      h("div", { class: "detail-row" }, h("dt", {}, "History"),
        h("dd", { "data-testid": "token-completeness", "data-complete": String(c.complete) }, c.text,
          c.action == null ? null : h("p", { class: "help", "data-testid": "token-complete-action" }, c.action))),
      h("div", { class: "detail-row" }, h("dt", {}, "Chain check"),
        h("dd", {}, h("span", { "data-testid": "token-reconciliation", "data-state": rec.state }, rec.text), " ", checkNow,
          checkNote === "" ? null : h("p", { class: "help", "data-testid": "token-check-note" }, checkNote))));
  }

  function render(): void {
    const tokens = state.tokens.kind === "loaded" ? state.tokens.value : [];
    empty.hidden = !(state.tokens.kind === "loaded" && tokens.length === 0);
    list.replaceChildren(...tokens.map(tokenItem));
    const t = selectedToken(state);
    if (t == null) {
      detail.replaceChildren(state.tokens.kind === "failed" ? h("p", { class: "form-error" }, state.tokens.message) : "");
      return;
    }
    const focused = document.activeElement === registerInput;
    if (t.registersOnly) {
      detail.replaceChildren(
        h("h3", { class: "token-title" }, tokenName(t), h("span", { class: "muted mono" }, ` ${t.token} on ${t.network}`)),
        h("p", { class: "help", "data-testid": "token-registers-only" },
          "Only its registers are stored, no ERC-20 Transfer of it: it has no holders or supply here. Add erc20:Transfer to its listener for those."),
        complianceSection(state, t, dispatch) ?? h("p", { class: "muted" }, "Loading…"),
      );
      return;
    }
    detail.replaceChildren(
      h("h3", { class: "token-title" }, tokenName(t), h("span", { class: "muted mono" }, ` ${t.token} on ${t.network}`)),
      summary(t),
      addressSection(t) ?? "",
      h("section", {}, h("h3", {}, "Top holders"), loadable(state.top, (rows) =>
        rows.length === 0 ? h("p", { class: "muted" }, "No holder has a balance.") : holderTable(rows, t, "token-top"))),
      supplySection(t),
      complianceSection(state, t, dispatch) ?? "",
      registerSection(t),
    );
    if (focused) registerInput.focus();
  }

  onBookChange(render);

  return {
    el,
    shown() {
      dispatch({ type: "open" });
    },
    openAddress(network, token, address) {
      dispatch({ type: "openAddress", key: { network, token }, address });
      if (state.tokens.kind !== "loaded") dispatch({ type: "open" });
    },
  };
}
