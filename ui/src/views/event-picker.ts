// Event picker of the listener editor: preset packs as a checklist, plus events from an ABI or a typed signature.
import { h } from "../dom";
import { toAppError, type Backend } from "../ipc";
import { presetKeys, type ListenerForm } from "../listener-model";
import { button, choice, errorBox, uid } from "./form";
import type { EventInfo } from "../bindings/EventInfo";
import type { PackInfo } from "../bindings/PackInfo";

export interface EventPicker {
  /** The "Which events" fieldset. */
  el: HTMLElement;
  /** The checkbox standing for an `events` entry (a pack id, `pack:Name` or a custom spec). */
  control(key: string | null): HTMLElement | null;
  /** A short name for an `events` entry, for messages. */
  label(key: string): string;
  /** Shows these messages under the checklist and outlines the entries named. */
  setErrors(messages: readonly string[], keys: readonly string[]): void;
}

function paramChips(e: EventInfo): HTMLElement {
  return h("span", { class: "params" }, ...e.params.map((p) =>
    h("span", { class: "param", title: `${p.ty}${p.indexed ? ", indexed (filtered by the node)" : ""}` },
      p.name || "(unnamed)", h("span", { class: "param-ty" }, p.ty))));
}

function eventLabel(e: EventInfo): HTMLElement {
  return h("span", {}, h("span", { class: "event-name" }, e.name), paramChips(e));
}

function checkbox(attrs: Record<string, string | boolean>): HTMLInputElement {
  return h("input", { type: "checkbox", ...attrs });
}

/**
 * Edits `form.presets`, `form.custom` and `form.abi` in place; calls `changed` after changes
 * it makes itself (ticking by hand also bubbles up as a `change` event).
 */
export function createEventPicker(backend: Backend, packs: readonly PackInfo[], form: ListenerForm, fresh: boolean, changed: () => void): EventPicker {
  const checklist = h("div", { class: "checklist" });
  const packAll = new Map<string, HTMLInputElement>();
  const eventBoxes = new Map<string, HTMLInputElement>();
  const expanders = new Map<string, (open: boolean) => void>();
  const ticked = new Set(form.presets);
  const store = () => {
    form.presets = [...ticked];
    for (const pack of packs) {
      const on = pack.events.filter((e) => ticked.has(`${pack.id}:${e.name}`)).length;
      const all = packAll.get(pack.id);
      if (!all) continue;
      all.checked = on > 0 && on === pack.events.length;
      all.indeterminate = on > 0 && on < pack.events.length;
    }
  };
  const tick = (key: string, on: boolean) => {
    if (on) ticked.add(key);
    else ticked.delete(key);
    const box = eventBoxes.get(key);
    if (box) box.checked = on;
  };

  packs.forEach((pack, i) => {
    const all = checkbox({ "data-pack": pack.id });
    packAll.set(pack.id, all);
    const list = h("ul", { class: "pack-events", id: uid("pack") });
    const toggle = button("Show events", { class: "button link", "aria-controls": list.id });
    const expand = (open: boolean) => {
      list.hidden = !open;
      toggle.setAttribute("aria-expanded", String(open));
      toggle.textContent = open ? "Hide events" : "Show events";
    };
    expanders.set(pack.id, expand);
    toggle.addEventListener("click", () => expand(list.hidden));
    for (const e of pack.events) {
      const key = `${pack.id}:${e.name}`;
      const box = checkbox({ "data-event": key, checked: ticked.has(key) });
      eventBoxes.set(key, box);
      box.addEventListener("change", () => {
        tick(key, box.checked);
        store();
      });
      list.append(h("li", { class: "event-item" }, choice(box, eventLabel(e))));
    }
    all.addEventListener("change", () => {
      pack.events.forEach((e) => tick(`${pack.id}:${e.name}`, all.checked));
      store();
    });
    const count = `${pack.events.length} ${pack.events.length === 1 ? "event" : "events"}`;
    checklist.append(h("div", { class: "pack" },
      h("div", { class: "pack-head" },
        choice(all, h("span", {}, pack.title, h("span", { class: "muted" }, ` · ${pack.id} · ${count}`))),
        h("span", { class: "spacer" }), toggle),
      list));
    expand(pack.events.some((e) => ticked.has(`${pack.id}:${e.name}`)) || (fresh && i === 0));
  });
  store();

  const customList = h("ul", { class: "pack-events" });
  const customPack = h("div", { class: "pack custom-pack" }, h("div", { class: "pack-head" }, h("strong", {}, "Your events")), customList);
  checklist.append(customPack);
  const renderCustom = () => {
    customPack.hidden = form.custom.length === 0;
    customList.replaceChildren(...form.custom.map((c) => {
      const box = checkbox({ "data-event": c.spec, checked: c.checked });
      box.addEventListener("change", () => (c.checked = box.checked));
      return h("li", { class: "event-item" }, choice(box, c.info ? eventLabel(c.info) : h("span", { class: "mono" }, c.spec)));
    }));
  };
  renderCustom();

  /** Adds events to "Your events" (ticked or not); ones already there are only ticked. */
  const addCustom = (infos: readonly EventInfo[], on: boolean) => {
    for (const info of infos) {
      const known = form.custom.find((c) => c.spec === info.display);
      if (known) known.checked ||= on;
      else form.custom.push({ spec: info.display, info, checked: on });
    }
    renderCustom();
    changed();
  };

  // Entries kept from the file that are no preset: show their parameters once known.
  for (const c of form.custom) {
    backend.signatureEvents(c.spec).then((infos) => {
      c.info = infos[0] ?? null;
      renderCustom();
      changed();
    }, () => undefined); // the engine's check says what is wrong with the entry
  }

  const abiPath = form.abi;
  const abiBox = abiPath == null ? null : checkbox({ name: "abi", checked: true });
  abiBox?.addEventListener("change", () => (form.abi = abiBox.checked ? abiPath : null));

  const status = h("p", { class: "help", "aria-live": "polite" });
  const failure = h("div");
  const importFile = button("Import ABI file…", { "data-testid": "abi-import" });
  const abiText = h("textarea", { name: "abi_text", rows: 4, spellcheck: false, "aria-label": "ABI JSON",
    placeholder: '[{"type":"event","name":"Minted",…}]' });
  const readAbi = button("Read events", { "data-testid": "abi-paste" });
  // The pasted ABI opens in a box below the buttons (not beside them, where it pushed them down).
  const pasteBox = h("div", { class: "paste", id: uid("paste"), hidden: true }, abiText, h("div", { class: "field-actions" }, readAbi));
  const pasteToggle = button("Paste ABI…", { "data-testid": "abi-paste-open", "aria-expanded": "false", "aria-controls": pasteBox.id });
  const signature = h("input", { name: "signature", id: uid("sig"), spellcheck: false, autocomplete: "off",
    placeholder: "event Minted(address indexed to, uint256 amount)" });
  const addSignature = button("Add", { "data-testid": "signature-add" });
  const errors = h("ul", { class: "field-errors", "aria-live": "polite" });

  const report = (what: string, err: unknown) => {
    status.textContent = "";
    failure.replaceChildren(errorBox(what, toAppError(err)));
  };

  /** An ABI's events go to "Your events" unticked: the user picks. */
  const importAbi = async (what: string, text: string | null): Promise<void> => {
    failure.replaceChildren();
    try {
      const infos = await backend.abiEvents(text);
      if (infos == null) return;
      status.textContent = infos.length === 0
        ? "That ABI has no events."
        : `Found ${infos.length} ${infos.length === 1 ? "event" : "events"}: tick the ones to watch under "Your events".`;
      addCustom(infos, false);
      if (text != null) abiText.value = "";
    } catch (err) {
      report(what, err);
    }
  };

  /** A typed signature (or `pack:Event`), checked by the engine, then ticked. */
  const addTyped = async (): Promise<void> => {
    const spec = signature.value.trim();
    if (spec === "") return signature.focus();
    failure.replaceChildren();
    try {
      const infos = await backend.signatureEvents(spec);
      const keys = presetKeys(spec, packs);
      if (keys) {
        keys.forEach((k) => tick(k, true));
        keys.forEach((k) => expanders.get(k.split(":")[0])?.(true));
        store();
        status.textContent = `Ticked ${spec} above.`;
        changed();
      } else {
        status.textContent = `Added ${infos.map((e) => e.name).join(", ")} under "Your events".`;
        addCustom(infos, true);
      }
      signature.value = "";
    } catch (err) {
      report("That event could not be read", err);
    }
  };

  importFile.addEventListener("click", () => void importAbi("The ABI file could not be read", null));
  pasteToggle.addEventListener("click", () => {
    pasteBox.hidden = !pasteBox.hidden;
    pasteToggle.setAttribute("aria-expanded", String(!pasteBox.hidden));
    if (!pasteBox.hidden) abiText.focus();
  });
  readAbi.addEventListener("click", () => {
    if (abiText.value.trim() === "") abiText.focus();
    else void importAbi("The ABI could not be read", abiText.value);
  });
  addSignature.addEventListener("click", () => void addTyped());
  signature.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      void addTyped();
    }
  });

  // Typing an ABI or a signature changes nothing until it is added.
  const tools = h("div", { class: "picker-tools" },
    h("div", { class: "import-row" }, importFile, pasteToggle),
    pasteBox,
    h("div", { class: "signature-row" }, h("label", { for: signature.id }, "Add by signature"), signature, addSignature));
  for (const type of ["input", "change"]) tools.addEventListener(type, (e) => e.stopPropagation());

  const el = h("fieldset", { class: "group" }, h("legend", {}, "Which events"),
    h("p", { class: "help" }, "Tick the events to watch; each lists the values it carries. Ticking a whole pack also covers events added to it later."),
    checklist,
    abiBox && abiPath != null
      ? choice(abiBox, h("span", {}, "Every event of the ABI file ", h("span", { class: "mono" }, abiPath)))
      : null,
    tools, status, failure, errors);

  const control = (key: string | null): HTMLElement | null => {
    if (key == null) return checklist.querySelector("input");
    return eventBoxes.get(key) ?? packAll.get(key)
      ?? [...customList.querySelectorAll<HTMLInputElement>("input")].find((i) => i.dataset.event === key) ?? null;
  };

  return {
    el,
    control,
    label(key) {
      const pack = packs.find((p) => p.id === key);
      if (pack) return `${pack.title} (all events)`;
      const [packId, name] = key.split(":");
      const owner = packs.find((p) => p.id === packId);
      if (owner && name) return `${name} (${owner.title})`;
      return form.custom.find((c) => c.spec === key)?.info?.name ?? key;
    },
    setErrors(messages, keys) {
      errors.replaceChildren(...messages.map((m) => h("li", {}, m)));
      checklist.querySelectorAll(".has-problem").forEach((n) => n.classList.remove("has-problem"));
      for (const k of keys) control(k)?.closest(".event-item, .pack-head")?.classList.add("has-problem");
    },
  };
}
