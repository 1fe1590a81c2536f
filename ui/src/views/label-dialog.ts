// "Label…": names an address in the address book, for its network or for all networks. One
// modal dialog, opened from any address in the window; the engine's answer replaces the book.
import { h } from "../dom";
import { bookEntries, labelOf, setBook } from "../labels";
import { toAppError, type Backend } from "../ipc";

export interface LabelDialog {
  el: HTMLDialogElement;
  /** Opens the dialog for `address` as seen on `network` (null: not tied to one). */
  open(address: string, network: string | null): void;
}

export function createLabelDialog(backend: Backend): LabelDialog {
  const title = h("h2", { id: "label-title" }, "Label");
  const addressText = h("p", { class: "mono muted", "data-testid": "label-address" });
  const input = h("input", { class: "input", name: "label", maxlength: 100, autocomplete: "off", "aria-label": "Label" });
  const scope = h("select", { class: "input", name: "scope", "aria-label": "Where the label holds" });
  const error = h("p", { class: "form-error", role: "alert", "data-testid": "label-error", hidden: true });
  const save = h("button", { class: "button primary", type: "submit", "data-testid": "label-save" }, "Save");
  const remove = h("button", { class: "button", type: "button", "data-testid": "label-remove" }, "Remove label");
  const cancel = h("button", { class: "button", type: "button" }, "Cancel");
  const form = h("form", { method: "dialog", class: "label-form" }, title, addressText,
    h("label", { class: "field" }, "Label ", input), h("label", { class: "field" }, "Holds on ", scope), error,
    h("div", { class: "actions" }, save, remove, cancel));
  const el = h("dialog", { class: "detail label-dialog", "data-testid": "label-dialog", "aria-labelledby": "label-title" }, form);
  let target: { address: string; network: string | null } | null = null;

  const submit = async (label: string): Promise<void> => {
    if (target == null) return;
    const network = scope.value === "" ? null : scope.value;
    try {
      setBook(await backend.setLabel(network, target.address, label));
      el.close();
    } catch (err) {
      error.textContent = toAppError(err).message;
      error.hidden = false;
    }
  };
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void submit(input.value);
  });
  remove.addEventListener("click", () => void submit(""));
  cancel.addEventListener("click", () => el.close());

  return {
    el,
    open(address, network) {
      target = { address, network };
      addressText.textContent = address;
      const own = network == null ? undefined : bookEntries().find((e) => e.network === network && e.address.toLowerCase() === address.toLowerCase());
      scope.replaceChildren(
        ...(network == null ? [] : [h("option", { value: network }, `network ${network} only`)]),
        h("option", { value: "" }, "all networks"),
      );
      scope.value = own != null || network == null ? (network ?? "") : "";
      input.value = labelOf(address, network) ?? "";
      error.hidden = true;
      if (!el.open) el.showModal();
      input.focus();
      input.select();
    },
  };
}
