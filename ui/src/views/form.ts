// Form building blocks for the editors: labelled fields with help and errors, error boxes, inline confirms.
import { h } from "../dom";
import type { AppError } from "../ipc";

let nextId = 0;

/** A document-unique element id. */
export function uid(prefix: string): string {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

export interface Field {
  el: HTMLElement;
  /** Shows these messages under the control (none: clears them) and marks it invalid. */
  setErrors(messages: readonly string[]): void;
}

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

/** A label bound to its control, optional help text and a place for error messages. */
export function field(label: string, control: Control, help?: string | Node): Field {
  if (!control.id) control.id = uid("f");
  const errors = h("ul", { class: "field-errors", id: uid("err"), "aria-live": "polite" });
  const helpEl = help == null ? null : h("p", { class: "help", id: uid("help") }, help);
  control.setAttribute("aria-describedby", [helpEl?.id, errors.id].filter(Boolean).join(" "));
  const el = h("div", { class: "field" }, h("label", { for: control.id }, label), control, helpEl, errors);
  return {
    el,
    setErrors(messages) {
      errors.replaceChildren(...messages.map((m) => h("li", {}, ...messageNodes(m))));
      control.toggleAttribute("aria-invalid", messages.length > 0);
    },
  };
}

/**
 * A message as nodes: its first line as text, the lines after it (the engine quotes the
 * source with a caret under the problem) kept as written, in a fixed-width block.
 */
export function messageNodes(message: string): (string | Node)[] {
  const [first, ...rest] = message.split("\n");
  return rest.length === 0 ? [message] : [first ?? "", h("pre", { class: "snippet" }, rest.join("\n"))];
}

/** The first line of a message (a summary has no room for the quoted source). */
export function firstLine(message: string): string {
  return message.split("\n", 1)[0] ?? message;
}

/** A checkbox or radio with its label after it. */
export function choice(input: HTMLInputElement, label: string | Node, help?: string): HTMLElement {
  return h("label", { class: "choice" }, input, h("span", {}, label, help ? h("span", { class: "help" }, help) : null));
}

/** A failure in plain words, the error code one click away. */
export function errorBox(what: string, error: AppError): HTMLElement {
  return h("div", { class: "form-error", role: "alert" },
    h("p", {}, `${what}: ${error.message}`),
    h("details", {}, h("summary", {}, "Technical details"), h("code", {}, `${error.code}: ${error.message}`)));
}

/** A button: `kind` primary, danger or plain. */
export function button(label: string, attrs: Record<string, string> = {}, kind: "primary" | "danger" | "plain" = "plain"): HTMLButtonElement {
  const cls = kind === "plain" ? "button" : `button ${kind}`;
  return h("button", { type: "button", class: cls, ...attrs }, label);
}

/**
 * Swaps `actions` for "question [confirm] [Cancel]" until answered; Esc cancels. `run` does the
 * work and reports its own failures; the actions come back when it settles.
 */
export function confirmInline(actions: HTMLElement, question: string, confirm: string, run: () => Promise<void>): void {
  const yes = button(confirm, { "data-testid": "confirm-yes" }, "danger");
  const no = button("Cancel", { "data-testid": "confirm-no" });
  const box = h("div", { class: "confirm", role: "group", "aria-label": question },
    h("span", {}, question), yes, no);
  const restore = () => {
    box.remove();
    actions.hidden = false;
  };
  no.addEventListener("click", () => {
    restore();
    actions.querySelector("button")?.focus();
  });
  box.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      e.stopPropagation();
      no.click();
    }
  });
  yes.addEventListener("click", () => {
    yes.disabled = true;
    no.disabled = true;
    void run().finally(restore);
  });
  actions.hidden = true;
  actions.after(box);
  no.focus();
}

/** Makes `b` copy `value` when clicked and say so for a moment (nothing if refused). */
export function copyOnClick(b: HTMLButtonElement, value: string): HTMLButtonElement {
  b.addEventListener("click", () => {
    void navigator.clipboard
      ?.writeText(value)
      .then(() => {
        b.textContent = "Copied";
        setTimeout(() => (b.textContent = "Copy"), 1200);
      })
      .catch(() => undefined);
  });
  return b;
}

/** A button that copies `value` and says so for a moment. */
export function copyButton(value: string, label: string): HTMLButtonElement {
  return copyOnClick(button("Copy", { class: "button copy", "aria-label": `Copy ${label}` }), value);
}

/** How far to scroll down so that a control ending at `bottom` clears a bar starting at `barTop`, `gap` above it (0: it does). */
export function clearance(bottom: number, barTop: number, gap = 8): number {
  return Math.max(0, bottom + gap - barTop);
}

/**
 * Keeps the control that gets the focus in `form` above its sticky `bar` (Save, Cancel): one
 * under the bar is inside the window, so browsers do not scroll to it (WebKit ignores
 * scroll-margin there). Runs before the browser's own scrolling, which then has none to do.
 */
export function keepFocusAboveBar(form: HTMLElement, bar: HTMLElement): void {
  form.addEventListener("focusin", (e) => {
    const target = e.target instanceof HTMLElement ? e.target : null;
    const scroller = form.closest(".screens");
    if (target == null || scroller == null || bar.contains(target)) return;
    const by = clearance(target.getBoundingClientRect().bottom, bar.getBoundingClientRect().top);
    if (by > 0) scroller.scrollTop += by;
  });
}
