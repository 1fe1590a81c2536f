// Guided listener editor: name, network, contracts, events, conditions, start and delivery, checked as you type.
import { h, setText } from "../dom";
import { describeActivity, WHOLE_NETWORK_COST } from "../activity-text";
import { toAppError, type Backend } from "../ipc";
import {
  appendCondition,
  buildEntry,
  chosenEvents,
  emptyForm,
  formFromEntry,
  mergeProblems,
  placeProblems,
  type Built,
  type FieldName,
  type FieldProblem,
} from "../listener-model";
import { createConditionBuilder } from "./condition-builder";
import { createEventPicker } from "./event-picker";
import { button, choice, errorBox, field, firstLine, keepFocusAboveBar, uid, type Field } from "./form";
import type { ConfigView } from "../bindings/ConfigView";
import type { ListenerEntry } from "../bindings/ListenerEntry";
import type { PackInfo } from "../bindings/PackInfo";

export interface EditorContext {
  view: ConfigView;
  packs: PackInfo[];
  /** The listener being replaced; null saves a new one. */
  original: string | null;
  /** What the form starts from; null: a fresh listener. */
  entry: ListenerEntry | null;
}

const CHECK_DELAY_MS = 300;

const SECTION: Record<FieldName, string> = {
  name: "Name",
  network: "Network",
  contracts: "Contracts",
  events: "Events",
  where: "Conditions",
  from_block: "Start",
  delivery: "Delivery",
  form: "Listener",
};
const FIELDS = Object.keys(SECTION) as FieldName[];

function checkbox(attrs: Record<string, string | boolean>): HTMLInputElement {
  return h("input", { type: "checkbox", ...attrs });
}

/** A fresh listener form. `close` gets the saved configuration, or null when the user cancelled. */
export function openListenerEditor(backend: Backend, ctx: EditorContext, onClose: (saved: ConfigView | null) => void): HTMLFormElement {
  const { view, packs, original } = ctx;
  const form = ctx.entry ? formFromEntry(ctx.entry, packs) : emptyForm(view.networks[0]?.name ?? "");

  // Name and network
  const name = h("input", { name: "name", required: true, autocomplete: "off", spellcheck: false, value: form.name });
  const network = h("select", { name: "network" },
    ...view.networks.map((n) => h("option", { value: n.name }, `${n.name} (chain ${n.chain_id})`)));
  if (form.network !== "" && !view.networks.some((n) => n.name === form.network)) {
    network.append(h("option", { value: form.network }, `${form.network} (not configured)`));
  }
  network.value = form.network;
  const fName = field("Name", name, "Shown in the feed, History and notifications, e.g. usdc-transfers.");
  const fNetwork = field("Network", network, view.networks.length === 0
    ? "There are no networks yet: add one on the Networks screen first." : undefined);

  // Contracts
  const scopeAll = h("input", { type: "radio", name: "scope", value: "network", checked: form.wholeNetwork });
  const scopeSome = h("input", { type: "radio", name: "scope", value: "contracts", checked: !form.wholeNetwork });
  const contracts = h("textarea", { name: "contracts", rows: 3, spellcheck: false, placeholder: "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48" });
  contracts.value = form.contracts;
  const fContracts = field("Contract addresses", contracts, "One address per line, e.g. the token contract.");
  const cost = h("p", { class: "help scope-cost", "data-testid": "whole-network-cost", "aria-live": "polite" });
  const scopeBox = h("fieldset", { class: "group" }, h("legend", {}, "Which contracts"),
    h("div", { class: "choices" },
      choice(scopeSome, "Only these contracts", "The tokens or contracts you name below."),
      choice(scopeAll, "Every contract on the network", "Any contract emitting the chosen events: costs more, see below.")),
    fContracts.el, cost);

  // Events, conditions, start
  const picker = createEventPicker(backend, packs, form, ctx.entry == null, () => refresh());
  const where = h("textarea", { name: "where", rows: 2, spellcheck: false, placeholder: "value >= 1000 tokens and to == 0x…" });
  where.value = form.where;
  const fWhere = field("Only when", where,
    "Optional. Leave empty for every event. Compare the event's values with == != < <= > >=, in [a, b]; combine with and, or, not and parentheses; \"1000 tokens\" uses the token's decimals.");
  const builder = createConditionBuilder((clause) => {
    where.value = appendCondition(where.value, clause);
    revealed.add("where");
    refresh();
  });
  const whereBox = h("fieldset", { class: "group" }, h("legend", {}, "Conditions"), fWhere.el,
    h("p", { class: "help" }, "Or build one: pick a value, a comparison and what to compare with."), builder.el);
  const fromBlock = h("input", { name: "from_block", spellcheck: false, autocomplete: "off", placeholder: "latest", value: form.fromBlock });
  const fFrom = field("Start from", fromBlock,
    "latest watches new blocks only. A block number or a date (2024-05-01, midnight UTC) first looks through past blocks from there.");

  // Delivery
  const notify = checkbox({ name: "notify", checked: form.notify });
  const announce = checkbox({ name: "announce_history", checked: form.announceHistory });
  const targetBoxes = (kind: "webhooks" | "rabbitmq", names: readonly string[], chosen: readonly string[], label: string) =>
    names.map((n) => choice(checkbox({ name: kind, value: n, checked: chosen.includes(n) }), `${label} ${n}`));
  const targets = [
    ...targetBoxes("webhooks", view.webhooks, form.webhooks, "Webhook"),
    ...targetBoxes("rabbitmq", view.rabbitmq, form.rabbitmq, "RabbitMQ"),
  ];
  const deliveryErrors = h("ul", { class: "field-errors", "aria-live": "polite" });
  const deliveryBox = h("fieldset", { class: "group" }, h("legend", {}, "Delivery"),
    h("div", { class: "choices" },
      choice(notify, "Desktop pop-up for each event"),
      ...targets,
      choice(announce, "Also announce events found in past blocks",
        "Off: events found while catching up are stored and listed without pop-ups or chat messages.")),
    targets.length === 0
      ? h("p", { class: "help", "data-testid": "listener-no-targets" }, "To post to a webhook, a chat or RabbitMQ, add a target on the Deliveries screen; it is offered here by name.")
      : null,
    deliveryErrors);

  // Problems, actions
  const summary = h("ul", { class: "problems", "data-testid": "listener-problems", "aria-live": "polite" });
  const topError = h("div", { "data-testid": "listener-error" });
  const save = h("button", { type: "submit", class: "button primary", "data-testid": "listener-save" }, "Save");
  const cancel = button("Cancel", { "data-testid": "listener-cancel" });
  const state = h("span", { class: "save-state muted", "aria-live": "polite" });
  const titleId = uid("listener-title");
  const actions = h("div", { class: "editor-actions" }, save, cancel, state);

  const sections: [HTMLElement, FieldName][] = [
    [fName.el, "name"], [fNetwork.el, "network"], [scopeBox, "contracts"], [picker.el, "events"],
    [whereBox, "where"], [fFrom.el, "from_block"], [deliveryBox, "delivery"],
  ];
  for (const [section, f] of sections) section.dataset.field = f;
  const el = h("form", { class: "editor", "data-testid": "listener-form", "aria-labelledby": titleId, novalidate: true },
    h("h2", { class: "editor-title", id: titleId }, original ? `Edit listener ${original}` : ctx.entry ? "Add a listener (copy)" : "Add a listener"),
    summary, topError,
    h("div", { class: "row-2" }, fName.el, fNetwork.el),
    scopeBox, picker.el, whereBox, fFrom.el, deliveryBox,
    actions);

  keepFocusAboveBar(el, actions);

  const fieldFor: Partial<Record<FieldName, Field>> = { name: fName, network: fNetwork, contracts: fContracts, where: fWhere, from_block: fFrom };
  const controlFor = (p: FieldProblem): HTMLElement | null => {
    switch (p.field) {
      case "name": return name;
      case "network": return network;
      case "contracts": return form.wholeNetwork ? scopeSome : contracts;
      case "events": return picker.control(p.eventKey);
      case "where": return where;
      case "from_block": return fromBlock;
      case "delivery": return notify;
      default: return null;
    }
  };
  /** Measures what every contract would cost, once per network and events (the latest answer wins). */
  let costKey = "";
  let costTimer: ReturnType<typeof setTimeout> | undefined;
  function showCost(): void {
    cost.hidden = !form.wholeNetwork;
    const { network: net, events } = built.entry;
    const key = form.wholeNetwork && net !== "" && events.length > 0 ? JSON.stringify([net, events]) : "";
    if (key === costKey) return;
    costKey = key;
    clearTimeout(costTimer);
    if (key === "") {
      setText(cost, WHOLE_NETWORK_COST);
      return;
    }
    setText(cost, describeActivity(null, net));
    const entry = built.entry;
    costTimer = setTimeout(() => {
      backend.listenerActivity(entry)
        .then((r) => key === costKey && setText(cost, describeActivity(r, net)))
        .catch((err: unknown) => key === costKey && setText(cost, describeActivity({ activity: null, error: toAppError(err).message }, net)));
    }, CHECK_DELAY_MS);
  }

  const say = (p: FieldProblem) => (p.eventKey ? `${picker.label(p.eventKey)}: ${p.message}` : p.message);

  let built: Built = buildEntry(form, packs);
  let remote: FieldProblem[] = [];
  let checkedKey: string | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let seq = 0;
  let saving = false;
  /** Fields whose problems are shown: all of an existing listener's, a new one's once edited. */
  const revealed = new Set<FieldName>(ctx.entry ? FIELDS : ["form"]);

  /** Copies the plain controls into `form` (the picker keeps events up to date itself). */
  function read(): void {
    form.name = name.value;
    form.network = network.value;
    form.wholeNetwork = scopeAll.checked;
    form.contracts = contracts.value;
    form.where = where.value;
    form.fromBlock = fromBlock.value;
    form.notify = notify.checked;
    form.announceHistory = announce.checked;
    const ticked = (kind: string) => [...el.querySelectorAll<HTMLInputElement>(`input[name=${kind}]:checked`)].map((i) => i.value);
    form.webhooks = ticked("webhooks");
    form.rabbitmq = ticked("rabbitmq");
  }

  function showProblems(): void {
    const everything = mergeProblems(built.problems, remote);
    const shown = everything.filter((p) => revealed.has(p.field));
    const untouched = [...new Set(everything.filter((p) => !revealed.has(p.field)).map((p) => SECTION[p.field]))];
    for (const [f, fld] of Object.entries(fieldFor) as [FieldName, Field][]) {
      fld.setErrors(shown.filter((p) => p.field === f).map(say));
    }
    const events = shown.filter((p) => p.field === "events");
    picker.setErrors(events.map(say), events.flatMap((p) => (p.eventKey ? [p.eventKey] : [])));
    deliveryErrors.replaceChildren(...shown.filter((p) => p.field === "delivery").map((p) => h("li", {}, say(p))));
    summary.replaceChildren(...shown.map((p) => {
      const jump = h("button", { type: "button", class: "link" }, `${SECTION[p.field]}: ${firstLine(say(p))}`);
      jump.addEventListener("click", () => controlFor(p)?.focus());
      return h("li", {}, jump);
    }));
    summary.hidden = shown.length === 0;
    save.disabled = saving || everything.length > 0;
    state.textContent = saving ? "Saving…"
      : shown.length > 0 ? `${shown.length} ${shown.length === 1 ? "problem" : "problems"} to fix before saving`
        : untouched.length > 0 ? `Still to fill in: ${untouched.join(", ")}`
          : checkedKey !== JSON.stringify(built.entry) ? "Checking…" : "";
  }

  /** Asks the engine what it thinks of `b`; answers overtaken by later edits are dropped. */
  async function check(b: Built): Promise<void> {
    const key = JSON.stringify(b.entry);
    const mine = ++seq;
    let next: FieldProblem[];
    try {
      next = placeProblems(await backend.checkListener(original, b.entry), b);
    } catch (err) {
      next = [{ field: "form", message: `The listener could not be checked: ${toAppError(err).message}`, eventKey: null }];
    }
    if (mine !== seq) return;
    remote = next;
    checkedKey = key;
    showProblems();
  }

  function refresh(): void {
    read();
    built = buildEntry(form, packs);
    builder.setEvents(chosenEvents(form, packs));
    fContracts.el.hidden = form.wholeNetwork;
    showCost();
    clearTimeout(timer);
    seq += 1;
    if (checkedKey !== JSON.stringify(built.entry)) {
      const b = built;
      timer = setTimeout(() => void check(b), CHECK_DELAY_MS);
    }
    showProblems();
  }

  const onEdit = (e: Event) => {
    const f = e.target instanceof Element ? e.target.closest<HTMLElement>("[data-field]")?.dataset.field : undefined;
    if (f) revealed.add(f as FieldName);
    refresh();
  };
  el.addEventListener("input", onEdit);
  el.addEventListener("change", onEdit);
  scopeSome.addEventListener("change", () => {
    fContracts.el.hidden = false;
    contracts.focus();
  });

  /** Closes the editor; a check still waiting is dropped. */
  function close(saved: ConfigView | null): void {
    clearTimeout(timer);
    clearTimeout(costTimer);
    seq += 1;
    onClose(saved);
  }

  let submitting = false;
  el.addEventListener("submit", (e) => {
    e.preventDefault();
    // One save at a time (Enter pressed again while the check or the save runs).
    if (submitting) return;
    submitting = true;
    void (async () => {
      FIELDS.forEach((f) => revealed.add(f));
      refresh();
      clearTimeout(timer);
      const b = built;
      if (b.problems.length === 0 && checkedKey !== JSON.stringify(b.entry)) await check(b);
      // Edited while it was being checked: the answer is about an older form.
      if (b !== built) return;
      const first = mergeProblems(built.problems, remote)[0];
      if (first) {
        controlFor(first)?.focus();
        return;
      }
      saving = true;
      topError.replaceChildren();
      showProblems();
      try {
        close(await backend.saveListener(original, built.entry));
      } catch (err) {
        topError.replaceChildren(errorBox("The listener was not saved", toAppError(err)));
        topError.scrollIntoView({ block: "nearest" });
      } finally {
        saving = false;
        showProblems();
      }
    })().finally(() => (submitting = false));
  });
  el.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !e.defaultPrevented) {
      e.preventDefault();
      close(null);
    }
  });
  cancel.addEventListener("click", () => close(null));

  refresh();
  return el;
}
