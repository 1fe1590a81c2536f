// Event detail: decoded arguments with names, block, time, transaction and contract with
// copy buttons, in a modal dialog (Esc closes it).
import { h } from "../dom";
import { formatArgValue, formatFullLocalTime, formatRelativeTime, formatTokenAmount } from "../format";
import type { StoredEvent } from "../bindings/StoredEvent";

function copyButton(value: string): HTMLButtonElement {
  const b = h("button", { class: "copy", type: "button", title: "Copy", "aria-label": `Copy ${value}` }, "Copy");
  b.addEventListener("click", () => {
    void navigator.clipboard?.writeText(value).then(() => {
      b.textContent = "Copied";
      setTimeout(() => (b.textContent = "Copy"), 1200);
    });
  });
  return b;
}

function row(label: string, value: string, copy = false): HTMLElement {
  return h("div", { class: "detail-row" }, h("dt", {}, label),
    h("dd", { class: "mono", "data-field": label }, value, copy ? copyButton(value) : null));
}

const AMOUNT_KEYS = new Set(["value", "amount", "_value", "_amount"]);

/** `1,250.00 USDC (raw 1250000000)` for a token amount when the token's decimals are known. */
function amountText(key: string, raw: string, e: StoredEvent): string | null {
  if (e.decimals == null || !AMOUNT_KEYS.has(key.toLowerCase()) || !/^\d+$/.test(raw)) return null;
  const units = formatTokenAmount(raw, e.decimals);
  return `${units}${e.symbol ? ` ${e.symbol}` : ""} (raw ${raw})`;
}

export interface DetailView {
  el: HTMLDialogElement;
  open(e: StoredEvent): void;
}

export function createDetail(): DetailView {
  const body = h("div", { class: "detail-body" });
  const close = h("button", { class: "button", type: "button", "data-testid": "detail-close" }, "Close");
  const el = h("dialog", { class: "detail", "data-testid": "event-detail", "aria-labelledby": "detail-title" }, body, close);
  close.addEventListener("click", () => el.close());

  return {
    el,
    open(e) {
      const time = e.blockTime == null ? "not known yet" : `${formatFullLocalTime(e.blockTime)} (${formatRelativeTime(e.blockTime)})`;
      const args = e.argNames.length > 0 ? e.argNames : Object.keys(e.args);
      body.replaceChildren(
        h("h2", { id: "detail-title" }, `${e.event} `, h("span", { class: `chip chip-${e.status}`, "data-testid": "detail-status" }, e.status)),
        h("p", { class: "muted mono" }, e.signature),
        h("h3", {}, "Arguments"),
        h("dl", { class: "detail-args", "data-testid": "detail-args" },
          ...args.map((k) => {
            const v = formatArgValue(e.args[k]);
            const raw = e.args[k];
            const amount = typeof raw === "string" ? amountText(k, raw, e) : null;
            return row(k, amount ?? v, /^0x[0-9a-fA-F]{40,}$/.test(v));
          })),
        h("h3", {}, "Where"),
        h("dl", { class: "detail-where" },
          row("Network", `${e.network} (chain ${String(e.chainId)})`),
          row("Listener", e.listener),
          row("Contract", e.contract, true),
          row("Block", String(e.blockNumber)),
          row("Block hash", e.blockHash, true),
          row("Time", time),
          row("Transaction", e.txHash, true),
          row("Log index", String(e.logIndex))),
      );
      if (!el.open) el.showModal();
    },
  };
}
