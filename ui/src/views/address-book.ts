// Address book screen: every label with where it holds, a label added by address, and the book
// imported or exported as CSV (address,label,network; an empty network: all networks).
import { h } from "../dom";
import { visibleText } from "../format";
import { bookEntries, onBookChange, setBook } from "../labels";
import { toAppError, type Backend } from "../ipc";
import type { ErrorSink, ScreenView } from "../screen";

export function createAddressBook(backend: Backend, errors: ErrorSink, label: (address: string, network: string | null) => void): ScreenView & { load(): Promise<void> } {
  const body = h("tbody", {});
  const note = h("p", { class: "muted", "data-testid": "labels-note", "aria-live": "polite" });
  const address = h("input", { class: "input mono", name: "address", placeholder: "0x…", autocomplete: "off", "aria-label": "Address" });
  const add = h("button", { class: "button", type: "submit", "data-testid": "labels-add" }, "Label…");
  const importButton = h("button", { class: "button", type: "button", "data-testid": "labels-import" }, "Import CSV…");
  const exportButton = h("button", { class: "button", type: "button", "data-testid": "labels-export" }, "Export CSV…");
  const form = h("form", { class: "actions" }, address, add, importButton, exportButton);
  const el = h("section", { class: "panel address-book", "aria-labelledby": "labels-title" }, h("h2", { class: "panel-title", id: "labels-title" }, "Address book"),
    h("p", { class: "help" }, "Labels name addresses wherever the window shows them, in the holder register's label column, and in History's address filter. A label holds on one network or on all of them; the network's own wins."),
    form, note,
    h("table", { class: "feed-table", "data-testid": "labels-table" },
      h("thead", {}, h("tr", {}, h("th", {}, "Label"), h("th", {}, "Address"), h("th", {}, "Network"), h("th", {}, ""))), body));

  const say = (text: string): void => {
    note.textContent = text;
  };
  const load = async (): Promise<void> => {
    try {
      setBook(await backend.labels());
      errors.clear("labels");
    } catch (err) {
      errors.show("labels", toAppError(err));
    }
  };
  function render(): void {
    body.replaceChildren(...bookEntries().map((e) => {
      const edit = h("button", { class: "button small", type: "button" }, "Edit…");
      edit.addEventListener("click", () => label(e.address, e.network));
      return h("tr", { "data-address": e.address },
        h("td", { "data-testid": "label-text" }, visibleText(e.label)),
        h("td", { class: "mono" }, e.address),
        h("td", {}, e.network ?? "all networks"),
        h("td", {}, edit));
    }));
  }
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const a = address.value.trim();
    if (!/^0x[0-9a-fA-F]{40}$/.test(a)) return say(`“${a}” is not an address (0x and 40 hex digits).`);
    say("");
    label(a, null);
  });
  importButton.addEventListener("click", () => {
    backend.importLabels().then(async (n) => {
      if (n == null) return;
      await load();
      say(`Imported ${String(n)} ${n === 1 ? "label" : "labels"}.`);
    }, (err: unknown) => say(`Nothing was imported: ${toAppError(err).message}`));
  });
  exportButton.addEventListener("click", () => {
    backend.exportLabels().then((done) => {
      if (done) say(`Exported ${String(done.rows)} labels to ${done.path}`);
    }, (err: unknown) => say(toAppError(err).message));
  });
  onBookChange(render);
  render();
  return { el, load, shown: () => void load() };
}
