// Condition builder of the listener editor: a value of the chosen events, a comparison and what to compare with.
import { h } from "../dom";
import {
  conditionClause,
  conditionFields,
  OPERATOR_WORDS,
  operatorsFor,
  type ConditionField,
  type Operator,
} from "../listener-model";
import { button } from "./form";
import type { EventInfo } from "../bindings/EventInfo";

export interface ConditionBuilder {
  el: HTMLElement;
  /** Offers the parameters of these events. */
  setEvents(events: readonly EventInfo[]): void;
}

function placeholderFor(ty: string, op: Operator): string {
  const list = op === "in" || op === "not in";
  if (ty === "address") return list ? "0x…, 0x…" : "0x…";
  if (/^u?int/.test(ty)) return list ? "1, 2, 3" : "1000 or 1000 tokens";
  if (ty === "bool") return "true or false";
  return list ? "first, second" : "value";
}

/** What the value drop-down says while no event is ticked. */
const NO_EVENTS = "Tick an event above first";

/** `add` receives each clause built ("value >= 1000 tokens"). */
export function createConditionBuilder(add: (clause: string) => void): ConditionBuilder {
  const field = h("select", { "data-testid": "cond-field", "aria-label": "Value to compare" });
  const op = h("select", { "data-testid": "cond-op", "aria-label": "Comparison" });
  const value = h("input", { name: "cond_value", spellcheck: false, autocomplete: "off", "aria-label": "Compare with" });
  const addButton = button("Add condition", { "data-testid": "condition-add" });
  const el = h("div", { class: "builder" }, field, op, value, addButton);
  // Picking and typing here changes the listener only once a condition is added.
  for (const type of ["input", "change"]) el.addEventListener(type, (e) => e.stopPropagation());
  let fields: ConditionField[] = [];

  const selected = (): ConditionField | undefined => fields[Number(field.value)];
  const syncOperators = () => {
    const f = selected();
    const ops = f ? operatorsFor(f.ty) : [];
    const keep = op.value;
    // Never blank: without a value to compare, the comparison says so too.
    op.replaceChildren(...(ops.length === 0
      ? [h("option", { value: "" }, "comparison")]
      : ops.map((o) => h("option", { value: o }, `${OPERATOR_WORDS[o]} (${o})`))));
    if (ops.includes(keep as Operator)) op.value = keep;
    value.placeholder = f ? placeholderFor(f.ty, op.value as Operator) : "";
  };
  /** Offers these values (none: says to tick an event first, and everything is off). */
  const show = (next: ConditionField[]) => {
    const keep = selected();
    fields = next;
    field.replaceChildren(...(fields.length === 0
      ? [h("option", { value: "" }, NO_EVENTS)]
      : fields.map((f, i) => h("option", { value: i },
        `${f.name} (${f.ty})${f.scope.length > 0 ? ` · only ${f.scope.join(", ")}` : ""}`))));
    const again = keep ? fields.findIndex((f) => f.name === keep.name && f.ty === keep.ty) : -1;
    field.value = fields.length === 0 ? "" : String(Math.max(0, again));
    for (const c of [field, op, value, addButton]) c.disabled = fields.length === 0;
    syncOperators();
  };
  const submit = () => {
    const f = selected();
    if (!f) return;
    const clause = conditionClause(f.name, op.value as Operator, value.value, f.ty, f.scope);
    if (clause == null) return value.focus();
    value.value = "";
    add(clause);
    value.focus();
  };
  field.addEventListener("change", syncOperators);
  op.addEventListener("change", syncOperators);
  addButton.addEventListener("click", submit);
  value.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      submit();
    }
  });

  show([]);

  return {
    el,
    setEvents(events) {
      const next = conditionFields(events);
      if (JSON.stringify(next) === JSON.stringify(fields)) return;
      show(next);
    },
  };
}
