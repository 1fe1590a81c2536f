// Delivery targets section of the Deliveries screen: a card per webhook or RabbitMQ target, add, edit and
// remove (refused, naming them, while listeners deliver to it); the editor takes the list's place.
import { h, setText, syncKeyed } from "../dom";
import { toAppError, type Backend } from "../ipc";
import { button, confirmInline, errorBox } from "./form";
import { targetForm } from "./target-editor";
import { emptyForm, formFromView, removeRefusal, targetLine, usedByText } from "../targets-model";
import type { ErrorSink } from "../screen";
import type { TargetType } from "../bindings/TargetType";
import type { TargetView } from "../bindings/TargetView";

interface Card extends HTMLElement {
  item: TargetView;
  refs: { line: HTMLElement; used: HTMLElement; notice: HTMLElement };
}

export interface TargetsView {
  el: HTMLElement;
  /** Reads the targets again (not while editing). */
  shown(): void;
}

const key = (t: TargetView): string => `${t.kind}:${t.name}`;

export function createTargets(backend: Backend, errors: ErrorSink): TargetsView {
  const list = h("div", { class: "cards", "data-testid": "target-list" });
  const empty = h("p", { class: "empty" }, "No webhooks or RabbitMQ targets yet. Add one, then choose it in a listener's Delivery.");
  const addHook = button("Add webhook", { "data-testid": "target-add-webhook" }, "primary");
  const addBroker = button("Add RabbitMQ", { "data-testid": "target-add-rabbitmq" });
  const listPane = h("div", { class: "list-pane" },
    h("div", { class: "panel-head" }, h("h2", { class: "panel-title", id: "targets-title" }, "Targets"),
      h("span", { class: "spacer" }), addHook, addBroker),
    list, empty);
  const editorPane = h("div", { class: "editor-pane", hidden: true });
  const el = h("section", { class: "panel config-screen", "aria-labelledby": "targets-title", "data-testid": "targets" }, listPane, editorPane);
  const cards = new Map<string, Card>();
  let items: TargetView[] = [];

  const render = (): void => {
    syncKeyed(list, items, key, createCard, updateCard, cards);
    empty.hidden = items.length > 0;
  };
  const reload = async (): Promise<void> => {
    try {
      items = await backend.targetList();
      errors.clear("target_list");
    } catch (err) {
      errors.show("target_list", toAppError(err));
    }
    render();
  };
  const close = (saved: TargetView[] | null, focus: HTMLElement): void => {
    editorPane.replaceChildren();
    editorPane.hidden = true;
    listPane.hidden = false;
    focus.focus();
    if (saved) {
      items = saved;
      render();
    }
  };
  const open = (form: HTMLElement): void => {
    editorPane.replaceChildren(form);
    listPane.hidden = true;
    editorPane.hidden = false;
    form.querySelector<HTMLInputElement>("[name=name]")?.focus();
  };
  const openNew = (kind: TargetType, from: HTMLElement): void =>
    open(targetForm(backend, emptyForm(kind), (saved) => close(saved, from)));

  function updateCard(card: Card, t: TargetView): void {
    card.item = t;
    setText(card.refs.line, targetLine(t));
    setText(card.refs.used, usedByText(t));
  }

  function createCard(first: TargetView): Card {
    const edit = button("Edit", { "data-testid": "target-edit" });
    const remove = button("Remove", { "data-testid": "target-remove" });
    const actions = h("div", { class: "card-actions" }, edit, remove);
    const refs = {
      line: h("p", { class: "muted", "data-testid": "target-line" }),
      used: h("p", { class: "muted", "data-testid": "target-used-by" }),
      notice: h("div", { "data-testid": "target-remove-error" }),
    };
    const kind = first.kind === "webhook" ? "Webhook" : "RabbitMQ";
    const el = h("article", { class: "card", "data-testid": "target-item", "data-target": key(first) },
      h("header", { class: "card-head" }, h("h3", { class: "card-title" }, first.name), h("span", { class: "muted" }, kind),
        h("span", { class: "spacer" }), actions),
      refs.line, refs.used, refs.notice);
    const card: Card = Object.assign(el, { item: first, refs });
    edit.addEventListener("click", () => open(targetForm(backend, formFromView(card.item), (saved) => close(saved, edit))));
    remove.addEventListener("click", () => {
      const t = card.item;
      refs.notice.replaceChildren();
      // Refused before asking: nothing to confirm while listeners deliver to it.
      const refusal = removeRefusal(t);
      if (refusal != null) {
        refs.notice.replaceChildren(h("div", { class: "form-error", role: "alert" }, h("p", {}, refusal)));
        return;
      }
      confirmInline(actions, `Remove ${t.name}? Its delivery history stays.`, "Remove", async () => {
        try {
          items = await backend.removeTarget({ kind: t.kind, name: t.name });
          render();
        } catch (err) {
          refs.notice.replaceChildren(errorBox(`${t.name} was not removed`, toAppError(err)));
        }
      });
    });
    return card;
  }

  addHook.addEventListener("click", () => openNew("webhook", addHook));
  addBroker.addEventListener("click", () => openNew("rabbitmq", addBroker));
  return {
    el,
    shown() {
      if (editorPane.hidden) void reload();
    },
  };
}
