// History's saved filters bar: pick one to apply it, save the filter typed under a name, delete one.
import { h, setText } from "../dom";
import type { FilterForm } from "../history-model";
import { deleteFilter, findFilter, parseSaved, saveFilter, type SavedFilter } from "../saved-filters";

const SAVED_KEY = "tokenwatch.history.filters";

function load(): SavedFilter[] {
  try {
    return parseSaved(localStorage.getItem(SAVED_KEY));
  } catch {
    return [];
  }
}

function store(list: readonly SavedFilter[]): void {
  try {
    localStorage.setItem(SAVED_KEY, JSON.stringify(list));
  } catch {
    // Storage unavailable: the filters last until the window closes.
  }
}

/** The bar; `readForm` gives what the filter inputs hold, `applyForm` fills them and applies. */
export function createSavedFilters(readForm: () => FilterForm, applyForm: (form: FilterForm) => void): HTMLElement {
  let list = load();
  const picker = h("select", { class: "input", "data-testid": "history-saved", "aria-label": "Saved filters" });
  const name = h("input", {
    class: "input",
    name: "savedName",
    "data-testid": "history-save-name",
    "aria-label": "Name for the filter",
    placeholder: "name this filter",
    autocomplete: "off",
  });
  const save = h("button", { class: "button", type: "button", "data-testid": "history-save" }, "Save filter");
  const remove = h("button", { class: "button", type: "button", "data-testid": "history-saved-delete", disabled: true }, "Delete");
  const message = h("span", { class: "muted", role: "status", "data-testid": "history-saved-message" });

  function render(selected: string): void {
    picker.replaceChildren(
      h("option", { value: "" }, list.length === 0 ? "No saved filters" : "Saved filters…"),
      ...list.map((s) => h("option", { value: s.name }, s.name)),
    );
    picker.value = findFilter(list, selected) == null ? "" : selected;
    picker.disabled = list.length === 0;
    remove.disabled = picker.value === "";
  }

  picker.addEventListener("change", () => {
    const chosen = findFilter(list, picker.value);
    remove.disabled = chosen == null;
    setText(message, "");
    if (chosen == null) return;
    name.value = chosen.name;
    applyForm(chosen.form);
  });
  save.addEventListener("click", () => {
    const result = saveFilter(list, name.value, readForm());
    if (!result.ok) {
      setText(message, result.message);
      return;
    }
    list = result.list;
    store(list);
    render(name.value.trim());
    setText(message, `Saved “${name.value.trim()}”.`);
  });
  remove.addEventListener("click", () => {
    const gone = picker.value;
    if (gone === "") return;
    list = deleteFilter(list, gone);
    store(list);
    render("");
    name.value = "";
    setText(message, `Deleted “${gone}”.`);
  });
  render("");
  return h("div", { class: "hist-saved", "data-testid": "history-saved-bar" }, picker, name, save, remove, message);
}
