// The header bar: app name, engine status pill and the number of events stored.
import { h, setAttr, setText } from "../dom";
import type { EngineSummary } from "../summary";

export interface HeaderView {
  el: HTMLElement;
  update(summary: EngineSummary, eventsStored: number | null, database: string | null): void;
}

export function createHeader(): HeaderView {
  const pill = h("span", { class: "pill", "data-testid": "engine-status", "data-state": "stopped" }, "Stopped");
  const stored = h("span", { class: "stat-value", "data-testid": "events-stored" }, "0");
  const storedBox = h("span", { class: "stat" }, stored, " events stored");
  const el = h(
    "header",
    { class: "app-header" },
    h("span", { class: "brand" }, h("span", { class: "brand-mark", "aria-hidden": "true" }), "Tokenwatch"),
    pill,
    h("span", { class: "spacer" }),
    storedBox,
  );
  return {
    el,
    update(summary, eventsStored, database) {
      setText(pill, summary.state);
      setAttr(pill, "data-state", summary.state.toLowerCase());
      setAttr(pill, "title", summary.reason);
      setText(stored, String(eventsStored ?? 0));
      setAttr(storedBox, "title", database ? `Database: ${database}` : null);
    },
  };
}
