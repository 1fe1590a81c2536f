// Delivery target editor: a webhook (standard signed JSON, Slack, Discord, Telegram) or a RabbitMQ target,
// secrets shown only as stored, and "Send a test message" with what the receiver answered.
import { h } from "../dom";
import { toAppError, type Backend } from "../ipc";
import { button, choice, errorBox, field, keepFocusAboveBar, uid, type Field } from "./form";
import {
  FORMATS,
  formProblems,
  replyLines,
  secretNote,
  toTargetForm,
  urlNote,
  type TargetField,
  type TargetFormState,
} from "../targets-model";
import type { TargetView } from "../bindings/TargetView";
import type { TestReply } from "../bindings/TestReply";

/** The answer of a test send, as text nodes. */
function replyBox(r: TestReply): HTMLElement {
  const lines = replyLines(r);
  return h("div", { class: `test-reply ${lines.ok ? "probe-ok" : "probe-bad"}`, "data-testid": "target-test-reply", role: "status" },
    h("p", { class: "test-headline", "data-testid": "target-test-headline" }, lines.headline),
    lines.status ? h("p", { "data-testid": "target-test-status" }, lines.status) : null,
    lines.body != null
      ? h("div", {}, h("p", { class: "help" }, "The receiver's answer (start):"),
        h("pre", { class: "snippet", "data-testid": "target-test-body" }, lines.body))
      : null,
    lines.headers.length > 0
      ? h("div", {}, h("p", { class: "help" }, "Headers Tokenwatch set:"),
        h("pre", { class: "snippet", "data-testid": "target-test-headers" }, lines.headers.join("\n")))
      : null);
}

/** A fresh form for `state`; `close` gets the saved list, or null when the user cancelled. */
export function targetForm(
  backend: Backend,
  state: TargetFormState,
  close: (saved: TargetView[] | null) => void,
): HTMLFormElement {
  const webhook = state.kind === "webhook";
  const name = h("input", { name: "name", autocomplete: "off", spellcheck: false, value: state.name });
  const url = h("input", {
    name: "url", autocomplete: "off", spellcheck: false, value: state.url,
    placeholder: state.original != null && state.urlKept != null ? "(stored: leave empty to keep)"
      : webhook ? "https://example.com/hooks/tokenwatch" : "amqp://user:password@127.0.0.1:5672/%2f",
  });
  const format = h("select", { name: "format" }, ...FORMATS.map(([v, label]) => h("option", { value: v }, label)));
  format.value = state.format;
  const chatId = h("input", { name: "chat_id", autocomplete: "off", spellcheck: false, value: state.chatId, placeholder: "-1001234567890" });
  const secret = h("input", { name: "secret", type: "password", autocomplete: "off", spellcheck: false, placeholder: "whsec_…" });
  const removeSecret = h("input", { type: "checkbox", name: "remove_secret" });
  const exchange = h("input", { name: "exchange", autocomplete: "off", spellcheck: false, value: state.exchange });

  const fields: Record<TargetField, Field> = {
    name: field("Name", name, "Listeners choose targets by this name."),
    url: field(webhook ? "URL" : "Broker URL", url, h("span", { "data-testid": "target-url-note" })),
    chatId: field("Chat id", chatId, "The Telegram chat, group or channel to post to."),
    secret: field("Signing secret", secret, h("span", { "data-testid": "target-secret-note" })),
    exchange: field("Exchange", exchange, "Messages are published with routing key network.listener.event; a topic exchange is declared if missing."),
  };
  const fFormat = field("Format", format, "Standard: JSON signed as Standard Webhooks says. Chat formats post one readable line.");
  const removeBox = choice(removeSecret, "Remove the stored secret (messages go unsigned)");
  const test = button("Send a test message", { "data-testid": "target-test" });
  const testOut = h("div", { "data-testid": "target-test-out", "aria-live": "polite" });
  const topError = h("div", { "data-testid": "target-error" });
  const save = h("button", { type: "submit", class: "button primary", "data-testid": "target-save" }, "Save");
  const cancel = button("Cancel", { "data-testid": "target-cancel" });
  const actions = h("div", { class: "editor-actions" }, save, cancel);
  const titleId = uid("target-title");
  const what = webhook ? "webhook" : "RabbitMQ target";
  const form = h("form", { class: "editor", "data-testid": "target-form", "data-kind": state.kind, "aria-labelledby": titleId, novalidate: true },
    h("h2", { class: "editor-title", id: titleId }, state.original ? `Edit ${what} ${state.original.name}` : `Add a ${what}`),
    topError, fields.name.el, webhook ? fFormat.el : null, fields.url.el,
    webhook ? fields.chatId.el : null, webhook ? fields.secret.el : null, webhook && state.secretKept != null ? removeBox : null,
    webhook ? null : fields.exchange.el,
    h("div", { class: "field-actions" }, test), testOut, actions);
  keepFocusAboveBar(form, actions);

  /** The state as typed now. */
  const current = (): TargetFormState => ({
    ...state, name: name.value, url: url.value, format: format.value, chatId: chatId.value,
    secret: secret.value, removeSecret: removeSecret.checked, exchange: exchange.value,
  });
  /** Shows which fields apply, the notes, and (once asked) the problems; true when none. */
  const show = (check: boolean): boolean => {
    const s = current();
    fields.chatId.el.hidden = s.format !== "telegram";
    const standard = s.format === "standard";
    fields.secret.el.hidden = !standard;
    removeBox.hidden = !standard;
    form.querySelector('[data-testid="target-url-note"]')?.replaceChildren(urlNote(s) ?? (webhook ? "Where each message is posted." : "The broker to publish to."));
    form.querySelector('[data-testid="target-secret-note"]')?.replaceChildren(secretNote(s));
    const problems = formProblems(s);
    if (check) for (const [k, f] of Object.entries(fields) as [TargetField, Field][]) f.setErrors(problems[k] ? [problems[k]] : []);
    return Object.keys(problems).length === 0;
  };
  show(false);
  const checkAll = (): boolean => {
    const ok = show(true);
    form.querySelector<HTMLElement>("[aria-invalid]")?.focus();
    return ok;
  };
  form.addEventListener("input", () => show(form.querySelector("[aria-invalid]") != null));
  format.addEventListener("change", () => show(form.querySelector("[aria-invalid]") != null));

  test.addEventListener("click", () => {
    void (async () => {
      topError.replaceChildren();
      if (!checkAll()) return;
      test.disabled = true;
      test.textContent = "Sending…";
      testOut.replaceChildren();
      try {
        testOut.replaceChildren(replyBox(await backend.testTarget(state.original, toTargetForm(current()))));
      } catch (err) {
        testOut.replaceChildren(errorBox("The test message was not sent", toAppError(err)));
      } finally {
        test.disabled = false;
        test.textContent = "Send a test message";
      }
    })();
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void (async () => {
      topError.replaceChildren();
      if (!checkAll()) return;
      save.disabled = true;
      try {
        close(await backend.saveTarget(state.original, toTargetForm(current())));
      } catch (err) {
        topError.replaceChildren(errorBox(`The ${what} was not saved`, toAppError(err)));
        topError.scrollIntoView({ block: "nearest" });
      } finally {
        save.disabled = false;
      }
    })();
  });
  form.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      e.preventDefault();
      close(null);
    }
  });
  cancel.addEventListener("click", () => close(null));
  return form;
}
