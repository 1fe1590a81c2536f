// The first-run prompt an empty screen shows: what is missing and a button that adds it.
import { h, setText } from "../dom";
import { nextStep, type StepAction } from "../next-step";
import { button } from "./form";
import type { EngineStatus } from "../bindings/EngineStatus";

export interface NextStepView {
  el: HTMLElement;
  update(status: EngineStatus | null): void;
}

/** A prompt that calls `go` with its step; `only` limits it to one step (the others stay hidden). */
export function createNextStep(go: (action: StepAction) => void, only?: StepAction): NextStepView {
  const text = h("p", {});
  const take = button("", { "data-testid": "next-step-button" }, "primary");
  const el = h("div", { class: "next-step", "data-testid": "next-step", role: "note", hidden: true }, text, take);
  let action: StepAction | null = null;
  take.addEventListener("click", () => {
    if (action) go(action);
  });
  return {
    el,
    update(status) {
      const step = nextStep(status);
      const show = step != null && (only == null || step.action === only);
      el.hidden = !show;
      action = show ? step.action : null;
      el.dataset.step = action ?? "";
      if (show) {
        setText(text, step.text);
        setText(take, step.button);
      }
    },
  };
}
