// Event detail: decoded arguments with names and types, where it happened (with
// confirmations and block explorer links), its status history, the raw log, the listeners
// that matched it and what each delivery target was told; copy buttons on every hash and address. A modal
// dialog (Esc closes it). Shows the event at once, then the rest when `event_full` answers.
import { h } from "../dom";
import { copyOnClick } from "./form";
import { formatArgValue, formatCount, formatFullLocalTime, formatRelativeTime, formatTokenAmount, visibleText } from "../format";
import { labelOf } from "../labels";
import { heldBackText, waitingFor } from "../held-back";
import { toAppError, type AppError } from "../ipc";
import type { EngineStatus } from "../bindings/EngineStatus";
import type { EventDetail } from "../bindings/EventDetail";
import type { EventStatus } from "../bindings/EventStatus";
import type { StoredEvent } from "../bindings/StoredEvent";

function copyButton(value: string): HTMLButtonElement {
  return copyOnClick(h("button", { class: "copy", type: "button", title: "Copy", "aria-label": `Copy ${value}` }, "Copy"), value);
}

/** An explorer link: shown as a link, opened in the user's browser (the app's window never
 * navigates away). */
function link(explorer: string | null, path: string, open: ((base: string, path: string) => void) | null): HTMLElement | null {
  if (explorer == null || !/^https?:\/\/[^\s"'<>`]+$/.test(explorer)) return null;
  const href = `${explorer.replace(/\/+$/, "")}/${path}`;
  const a = h("a", { class: "explorer", href, rel: "noreferrer", title: href }, "Explorer");
  a.addEventListener("click", (ev) => {
    ev.preventDefault();
    open?.(explorer, path);
  });
  return a;
}

function row(label: string, value: string, opts: { copy?: boolean; extra?: Node | null; type?: string } = {}): HTMLElement {
  return h("div", { class: "detail-row" },
    h("dt", {}, label, opts.type ? h("span", { class: "muted arg-type" }, ` ${opts.type}`) : null),
    h("dd", { class: "mono", "data-field": label }, value, opts.copy ? copyButton(value) : null, opts.extra ?? null));
}

const AMOUNT_KEYS = new Set(["value", "amount", "_value", "_amount", "wad"]);

/** `1,250.00 USDC (raw 1250000000)` for a token amount when the token's decimals are known. */
export function amountText(key: string, raw: string, e: StoredEvent): string | null {
  if (e.decimals == null || !AMOUNT_KEYS.has(key.toLowerCase()) || !/^\d+$/.test(raw)) return null;
  const units = formatTokenAmount(raw, e.decimals);
  return `${units}${e.symbol ? ` ${e.symbol}` : ""} (raw ${raw})`;
}

/** `12 confirmations` from the network's head, when known. */
export function confirmationsText(e: StoredEvent, status: EngineStatus | null): string {
  if (e.status === "removed") return "none: its block left the chain";
  const head = status?.networks.find((n) => n.name === e.network)?.head;
  if (head == null) return "not known yet";
  const n = Math.max(0, head - e.blockNumber + 1);
  return `${formatCount(n)} (head ${formatCount(head)})`;
}

export interface DetailView {
  el: HTMLDialogElement;
  open(e: StoredEvent): void;
  /** A stored event changed (confirmed, removed): an open detail of it shows the change. */
  onEvent(e: StoredEvent): void;
  /** The engine's status moved (a new head): an open detail counts its confirmations again. */
  onStatus(): void;
}

export interface DetailSource {
  eventFull(id: number): Promise<EventDetail | null>;
  status(): EngineStatus | null;
  onError(e: AppError): void;
  /** Opens an explorer page in the browser (errors are the source's to show). */
  openExplorer(base: string, path: string): void;
  /** What the window offers for an address of this event: Label…, its balance, its events. */
  addressActions?(address: string, e: StoredEvent): Node[];
}

export function createDetail(source: DetailSource | null = null): DetailView {
  const body = h("div", { class: "detail-body" });
  const close = h("button", { class: "button", type: "button", "data-testid": "detail-close" }, "Close");
  const el = h("dialog", { class: "detail", "data-testid": "event-detail", "aria-labelledby": "detail-title" }, body, close);
  close.addEventListener("click", () => el.close());
  let shownId: number | null = null;
  /** What the open detail shows, to draw it again. */
  let shown: { event: StoredEvent; full: EventDetail | null } | null = null;

  function render(e: StoredEvent, full: EventDetail | null): void {
    shown = { event: e, full };
    const time = e.blockTime == null ? "not known yet" : `${formatFullLocalTime(e.blockTime)} (${formatRelativeTime(e.blockTime)})`;
    const args = e.argNames.length > 0 ? e.argNames : Object.keys(e.args);
    const explorer = full?.explorer ?? null;
    const open = source == null ? null : (base: string, path: string) => source.openExplorer(base, path);
    body.replaceChildren(
      h("h2", { id: "detail-title" }, `${e.event} `, h("span", { class: `chip chip-${e.status}`, "data-testid": "detail-status" }, e.status)),
      h("p", { class: "muted mono" }, e.signature),
      h("h3", {}, "Arguments"),
      h("dl", { class: "detail-args", "data-testid": "detail-args" },
        ...args.map((k, i) => {
          const raw = e.args[k];
          const full_ = typeof raw === "string" ? raw : formatArgValue(raw);
          const isAddress = /^0x[0-9a-fA-F]{40}$/.test(full_);
          const amount = typeof raw === "string" ? amountText(k, raw, e) : null;
          const label = isAddress ? labelOf(full_, e.network) : null;
          return row(k, amount ?? full_, {
            copy: isAddress || /^0x[0-9a-fA-F]{64}$/.test(full_),
            extra: isAddress
              ? h("span", { class: "address-actions" },
                  label == null ? null : h("span", { class: "address-label", "data-testid": "detail-label" }, visibleText(label)),
                  link(explorer, `address/${full_}`, open),
                  ...(source?.addressActions?.(full_, e) ?? []))
              : null,
            type: full?.argTypes[i],
          });
        })),
      h("h3", {}, "Where"),
      h("dl", { class: "detail-where" },
        row("Network", `${e.network} (chain ${String(e.chainId)})`),
        row("Contract", e.contract, { copy: true, extra: link(explorer, `address/${e.contract}`, open) }),
        row("Block", String(e.blockNumber), { extra: link(explorer, `block/${String(e.blockNumber)}`, open) }),
        row("Block hash", e.blockHash, { copy: true }),
        row("Time", time),
        row("Confirmations", confirmationsText(e, source?.status() ?? null)),
        row("Transaction", e.txHash, { copy: true, extra: link(explorer, `tx/${e.txHash}`, open) }),
        row("Log index", String(e.logIndex)),
        row("Listeners", (full?.listeners ?? e.listeners).join(", "))),
      ...(full ? [statusHistory(full), announcements(full, source?.status() ?? null), rawLog(full)] : []),
    );
  }

  /** Asks for the event in full and draws it, unless another event was opened meanwhile. */
  function load(e: StoredEvent): void {
    source?.eventFull(e.id).then(
      (full) => {
        if (full != null && shownId === e.id && el.open) render({ ...full.event, listener: e.listener }, full);
      },
      (err: unknown) => source.onError(toAppError(err)),
    );
  }

  return {
    el,
    open(e) {
      shownId = e.id;
      render(e, null);
      if (!el.open) el.showModal();
      load(e);
    },
    onEvent(e) {
      if (!el.open || shownId !== e.id || shown == null) return;
      // The row's status at once; its status history and announcements once read again.
      render({ ...e, listener: shown.event.listener }, shown.full);
      load(e);
    },
    onStatus() {
      if (el.open && shown != null) render(shown.event, shown.full);
    },
  };
}

/** How a change to each status reads in the status history. */
const CHANGED_TO: Record<EventStatus, string> = {
  pending: "back on the chain, pending",
  confirmed: "confirmed",
  removed: "removed by a reorg",
};

function statusHistory(full: EventDetail): HTMLElement {
  return h("div", { "data-testid": "detail-status-history" },
    h("h3", {}, "Status history"),
    h("ol", { class: "status-history" },
      ...full.statusHistory.map((c, i) => {
        const what = i === 0 ? `stored as ${c.status}` : CHANGED_TO[c.status];
        const when = c.atMs == null ? " (stored before Tokenwatch kept these times)" : `, ${formatFullLocalTime(c.atMs / 1000)}`;
        return h("li", {}, h("span", { class: `chip chip-${c.status}` }, c.status), ` ${what}${when}`);
      })));
}

function announcements(full: EventDetail, status: EngineStatus | null): HTMLElement {
  if (full.announcements.length === 0) {
    return h("p", { class: "muted", "data-testid": "detail-announcements" }, "No delivery targets were told about this event.");
  }
  return h("div", { "data-testid": "detail-announcements" },
    h("h3", {}, "What delivery targets were told"),
    h("ul", { class: "announcements" },
      ...full.announcements.map((a) => {
        const when = formatFullLocalTime((a.doneMs ?? a.queuedMs) / 1000);
        const fate = a.state === "delivered" ? `delivered ${when}` : a.state === "queued" ? waiting(a.target, when, status) : a.state === "held" ? `held behind a parked message since ${when}` : `${a.state}${a.lastError ? `: ${a.lastError}` : ""}`;
        return h("li", {}, `${a.status} → ${a.target} (${a.listener}): ${fate}`, a.attempts > 1 ? ` after ${String(a.attempts)} attempts` : "");
      })));
}

/** "waiting since …", and why when its target holds messages back on purpose (the pop-up limit, quiet hours). */
function waiting(target: string, when: string, status: EngineStatus | null): string {
  const held = status?.targets.find((t) => t.target === target)?.heldBack;
  return held == null ? `waiting since ${when}` : `waiting ${waitingFor(held.reason)} since ${when}. ${heldBackText(held)}`;
}

function rawLog(full: EventDetail): HTMLElement {
  return h("details", { class: "raw-log", "data-testid": "detail-raw" },
    h("summary", {}, "Raw log (topics and data)"),
    h("dl", {},
      ...full.topics.map((t, i) => row(`topic${String(i)}`, t, { copy: true })),
      row("data", full.data === "0x" ? "0x (empty)" : full.data, { copy: full.data !== "0x" })));
}
