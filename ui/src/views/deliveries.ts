// Deliveries panel: each target's queue, parked count and last problem in words, a button
// to redeliver what was parked, and the latest attempts.
import { h, setText, syncKeyed } from "../dom";
import { formatRelativeTime, shortenAddress } from "../format";
import { heldBackText, waitingFor } from "../held-back";
import type { AttemptRow } from "../bindings/AttemptRow";
import type { TargetStatus } from "../bindings/TargetStatus";

/** `webhook:ops` -> `Webhook "ops"`; `desktop` -> `Desktop notifications`. */
export function targetLabel(key: string): string {
  if (key === "desktop") return "Desktop notifications";
  const [kind, name] = key.split(":", 2);
  const kinds: Record<string, string> = { webhook: "Webhook", rabbitmq: "RabbitMQ" };
  return name == null ? key : `${kinds[kind] ?? kind} “${name}”`;
}

/** `2 parked`, or `5 held behind 2 parked` when later messages wait for their redelivery. */
function parkedText(parked: number, held: number): string {
  return held > 0 ? `${String(held)} held behind ${String(parked)} parked` : `${String(parked)} parked`;
}

/** One line on how a target is doing. */
export function targetSummary(t: TargetStatus, nowMs: number = Date.now()): string {
  const parts: string[] = [];
  if (t.queued > 0) parts.push(`${String(t.queued)} waiting${t.heldBack ? ` ${waitingFor(t.heldBack.reason)}` : ""}`);
  if (t.parked > 0) parts.push(parkedText(t.parked, t.held));
  if (t.lastOkMs != null) parts.push(`last delivered ${formatRelativeTime(Math.floor(t.lastOkMs / 1000), nowMs)}`);
  return parts.length === 0 ? "nothing sent yet" : parts.join(" · ");
}

interface Card extends HTMLElement {
  refs: { summary: HTMLElement; held: HTMLElement; error: HTMLElement; redo: HTMLButtonElement };
}

export interface DeliveriesView {
  el: HTMLElement;
  update(targets: readonly TargetStatus[]): void;
  showAttempts(rows: readonly AttemptRow[]): void;
}

export function createDeliveries(onRedeliver: (target: string) => void): DeliveriesView {
  const list = h("div", { class: "cards" });
  const empty = h("p", { class: "empty" }, "No delivery targets. Listeners can notify you or post to webhooks and RabbitMQ.");
  const attemptsBody = h("tbody", {});
  const attempts = h(
    "details",
    { class: "attempts", "data-testid": "delivery-attempts" },
    h("summary", {}, "Latest attempts"),
    h("table", { class: "attempts-table" },
      h("thead", {}, h("tr", {}, ...["When", "Target", "Event", "Outcome"].map((t) => h("th", {}, t)))),
      attemptsBody),
  );
  const el = h("section", { class: "panel", "aria-labelledby": "deliveries-title" },
    h("h2", { class: "panel-title", id: "deliveries-title" }, "Deliveries"), list, empty, attempts);
  const cards = new Map<string, Card>();

  const create = (t: TargetStatus): Card => {
    const refs = {
      summary: h("p", { class: "muted", "data-testid": "target-summary" }),
      held: h("p", { class: "card-held", hidden: true, "data-testid": "target-held" }),
      error: h("p", { class: "card-error", hidden: true, "data-testid": "target-error" }),
      redo: h("button", { class: "button", type: "button", hidden: true, "data-testid": "target-redeliver" }),
    };
    refs.redo.addEventListener("click", () => onRedeliver(t.target));
    const card = h("article", { class: "card", "data-testid": "target-card", "data-target": t.target },
      h("header", { class: "card-head" }, h("h3", { class: "card-title" }, targetLabel(t.target))),
      refs.summary, refs.held, refs.error, refs.redo);
    return Object.assign(card, { refs });
  };
  const update = (card: Card, t: TargetStatus): void => {
    setText(card.refs.summary, targetSummary(t));
    // Why they wait, while any do: the pop-up limit or quiet hours, and when they go out.
    const held = t.queued > 0 && t.heldBack != null ? heldBackText(t.heldBack) : null;
    setText(card.refs.held, held ?? "");
    card.refs.held.hidden = held == null;
    setText(card.refs.error, t.lastError ?? "");
    card.refs.error.hidden = t.lastError == null;
    card.classList.toggle("has-error", t.lastError != null);
    card.refs.redo.hidden = t.parked === 0;
    setText(card.refs.redo, `Redeliver ${String(t.parked)} parked${t.held > 0 ? ` and ${String(t.held)} held` : ""}`);
  };

  return {
    el,
    update(targets) {
      syncKeyed(list, targets, (t) => t.target, create, update, cards);
      empty.hidden = targets.length > 0;
    },
    showAttempts(rows) {
      attemptsBody.replaceChildren(
        ...rows.map((a) => {
          const when = formatRelativeTime(Math.floor(a.atMs / 1000));
          const outcome = a.ok
            ? `delivered${a.code == null ? "" : ` (${String(a.code)})`} in ${String(a.latencyMs)} ms`
            : `failed: ${a.error ?? "unknown error"}`;
          const [, tx, log] = a.key.split(":");
          return h("tr", { class: a.ok ? "ok" : "failed", title: `${a.key}\nnow ${a.state}` },
            h("td", {}, when),
            h("td", {}, targetLabel(a.target)),
            h("td", { class: "mono" }, `${a.event} ${shortenAddress(tx ?? "")}:${log ?? ""}`),
            h("td", {}, outcome));
        }),
      );
    },
  };
}
