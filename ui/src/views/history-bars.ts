// History's filter bar (inputs named after the EventFilter fields) and its CSV export button.
import { h, setAttr, setText } from "../dom";
import { formatCount } from "../format";
import { FIELD_LABELS, FILTER_FIELDS, addSuggestion, type FilterField } from "../history-model";
import { toAppError, type Backend, type Unlisten } from "../ipc";
import type { EventFilter } from "../bindings/EventFilter";
import type { ExportProgress } from "../bindings/ExportProgress";
import type { HistorySort } from "../bindings/HistorySort";

/** How the time filters read what is typed (history-model's parseLocalDateTime). */
/** What the amount bounds mean. */
const AMOUNT_HELP =
  "In the token's units, like 1,000 or 2.5. With a bound set, events of tokens whose decimals are unknown are left out.";

const TIME_HELP = "Local date, optionally with a time: 2024-03-04 or 2024-03-04 14:30. A date alone covers the whole day.";

/** Suggestions offered per filter input. */
const MAX_SUGGESTIONS = 50;

export type FilterInput = HTMLInputElement | HTMLSelectElement;

/** The inputs that suggest values seen in the rows (the contract: token symbols and labels). */
export type Suggested = "network" | "listener" | "event" | "contract";

/** The filter bar: inputs named after the EventFilter fields, Apply and Clear. */
export function createFilterBar(): {
  el: HTMLFormElement;
  inputs: Record<FilterField, FilterInput>;
  suggest: (field: Suggested, value: string) => void;
  clearButton: HTMLButtonElement;
  problems: HTMLElement;
} {
  const lists = {
    network: h("datalist", { id: "history-networks" }),
    listener: h("datalist", { id: "history-listeners" }),
    event: h("datalist", { id: "history-events" }),
    contract: h("datalist", { id: "history-contracts" }),
  };
  const known: Record<Suggested, Set<string>> = {
    network: new Set(), listener: new Set(), event: new Set(), contract: new Set(),
  };
  const text = (name: FilterField, attrs: Record<string, string> = {}): HTMLInputElement =>
    h("input", { class: "input", name, autocomplete: "off", spellcheck: "false", ...attrs });
  const status = h(
    "select",
    { class: "input", name: "status" },
    h("option", { value: "" }, "Any"),
    h("option", { value: "pending" }, "Pending"),
    h("option", { value: "confirmed" }, "Confirmed"),
    h("option", { value: "removed" }, "Removed"),
  );
  const direction = h(
    "select",
    { class: "input", name: "direction", title: "From: the first indexed argument (from of a Transfer); to: the second" },
    h("option", { value: "" }, "in any argument"),
    h("option", { value: "from" }, "as from"),
    h("option", { value: "to" }, "as to"),
  );
  const inputs: Record<FilterField, FilterInput> = {
    network: text("network", { list: "history-networks", placeholder: "any" }),
    listener: text("listener", { list: "history-listeners", placeholder: "any" }),
    event: text("event", { list: "history-events", placeholder: "name or signature" }),
    contract: text("contract", { class: "input mono", list: "history-contracts", placeholder: "0x…, symbol, name or label" }),
    address: text("address", { class: "input mono", placeholder: "0x… or a label" }),
    direction,
    minAmount: text("minAmount", { class: "input mono short", inputmode: "decimal", placeholder: "min", title: AMOUNT_HELP }),
    maxAmount: text("maxAmount", { class: "input mono short", inputmode: "decimal", placeholder: "max", title: AMOUNT_HELP }),
    fromBlock: text("fromBlock", { class: "input mono short", inputmode: "numeric", placeholder: "from" }),
    toBlock: text("toBlock", { class: "input mono short", inputmode: "numeric", placeholder: "to" }),
    // Typed, not a date picker: an empty picker shows a grey date that reads as a filter in use.
    fromTime: text("fromTime", { placeholder: "from any date", title: TIME_HELP }),
    toTime: text("toTime", { placeholder: "to any date", title: TIME_HELP }),
    status,
  };
  for (const f of FILTER_FIELDS) inputs[f].setAttribute("aria-label", FIELD_LABELS[f]);
  const field = (label: string, ...controls: Node[]): HTMLElement =>
    h("div", { class: "hist-field" }, h("span", { class: "hist-label" }, label), h("div", { class: "hist-controls" }, ...controls));
  const dash = (): HTMLElement => h("span", { class: "muted" }, "–");
  const apply = h("button", { class: "button primary", type: "submit", "data-testid": "history-apply" }, "Apply");
  const clearButton = h("button", { class: "button", type: "button", "data-testid": "history-clear" }, "Clear");
  const problems = h("div", { class: "hist-problems", role: "alert", "data-testid": "history-filter-error", hidden: true });
  const el = h(
    "form",
    { class: "hist-filters", "aria-label": "Filter", novalidate: true },
    field("Network", inputs.network),
    field("Listener", inputs.listener),
    field("Event", inputs.event),
    field("Contract", inputs.contract),
    field("Address", inputs.address, inputs.direction),
    field("Amount in token units (unknown decimals left out)", inputs.minAmount, dash(), inputs.maxAmount),
    field("Blocks", inputs.fromBlock, dash(), inputs.toBlock),
    field("Time, like 2024-03-04 14:30", inputs.fromTime, dash(), inputs.toTime),
    field("Status", inputs.status),
    h("div", { class: "hist-field hist-actions" }, apply, clearButton),
    problems,
    lists.network,
    lists.listener,
    lists.event,
    lists.contract,
  );
  const suggest = (kind: Suggested, value: string): void => {
    if (!addSuggestion(known[kind], value, MAX_SUGGESTIONS)) return;
    lists[kind].append(h("option", { value }));
  };
  return { el, inputs, suggest, clearButton, problems };
}

/**
 * The export button (CSV of `filter()` in History's `sort()` order through the native save dialog)
 * and what it says while and after it runs.
 */
export function createExportBar(
  backend: Backend,
  filter: () => EventFilter,
  sort: () => HistorySort,
): { button: HTMLButtonElement; el: HTMLElement } {
  const button = h("button", { class: "button", type: "button", "data-testid": "history-export" }, "Export CSV");
  const bar = h("progress", { class: "hist-progress-bar" });
  const barText = h("span", { class: "muted" });
  const progress = h("span", { class: "hist-export-progress", "data-testid": "export-progress", hidden: true }, bar, barText);
  const done = h("span", { class: "hist-export-done", "data-testid": "export-done", role: "status", hidden: true });
  const failed = h("span", { class: "hist-export-error", "data-testid": "export-error", role: "alert", hidden: true });

  const showProgress = (p: ExportProgress | null): void => {
    progress.hidden = p == null;
    if (p == null) return;
    if (p.total > 0) {
      bar.max = p.total;
      bar.value = Math.min(p.written, p.total);
    } else bar.removeAttribute("value");
    setText(barText, `Exporting… ${formatCount(p.written)} of ${formatCount(p.total)} rows`);
    setAttr(progress, "data-written", String(p.written));
    setAttr(progress, "data-total", String(p.total));
  };
  const say = (el: HTMLElement, text: string | null): void => {
    el.hidden = text == null;
    setText(el, text ?? "");
  };

  let exporting = false;
  let progressSubscription: Promise<Unlisten> | null = null;

  async function runExport(): Promise<void> {
    if (exporting) return;
    exporting = true;
    button.disabled = true;
    say(done, null);
    say(failed, null);
    try {
      if (progressSubscription == null) {
        const subscribing = backend.onExportProgress((p) => {
          if (exporting) showProgress(p);
        });
        // Subscribe once; try again next time only if subscribing itself failed.
        subscribing.catch(() => (progressSubscription = null));
        progressSubscription = subscribing;
      }
      await progressSubscription;
      const result = await backend.exportCsv(filter(), sort());
      say(
        done,
        result == null
          ? "Export cancelled."
          : `Exported ${formatCount(result.rows)} ${result.rows === 1 ? "row" : "rows"} to ${result.path}`,
      );
    } catch (err) {
      say(failed, `Export failed: ${toAppError(err).message}`);
    } finally {
      exporting = false;
      button.disabled = false;
      showProgress(null);
    }
  }

  button.addEventListener("click", () => void runExport());
  return { button, el: h("span", { class: "hist-export" }, progress, done, failed) };
}
