// Error banners: the message in plain words, the error code behind a "Details" toggle; and
// notes, banners that say something went as asked and leave by themselves.
import { h } from "../dom";
import type { AppError } from "../ipc";

export interface ErrorsView {
  el: HTMLElement;
  /** Shows (or replaces) the banner for `source`, e.g. the command that failed. */
  show(source: string, error: AppError): void;
  clear(source: string): void;
  /** Shows (or replaces) a note for `source`; it goes after NOTE_MS or when dismissed. */
  note(source: string, message: string): void;
}

/** How long a note stays. */
export const NOTE_MS = 20_000;

export function createErrors(): ErrorsView {
  const el = h("div", { class: "errors", role: "alert", "aria-live": "polite" });
  const banners = new Map<string, HTMLElement>();

  function clear(source: string): void {
    banners.get(source)?.remove();
    banners.delete(source);
  }

  function show(source: string, error: AppError): void {
    const close = h("button", { class: "banner-close", type: "button", title: "Dismiss" }, "×");
    close.addEventListener("click", () => clear(source));
    const banner = h(
      "div",
      { class: "banner", "data-testid": "error-banner", "data-source": source },
      h("p", { class: "banner-message" }, error.message),
      h(
        "details",
        { class: "banner-details" },
        h("summary", {}, "Details"),
        h("code", {}, `${source}: ${error.code}`),
      ),
      close,
    );
    const old = banners.get(source);
    if (old) old.replaceWith(banner);
    else el.append(banner);
    banners.set(source, banner);
  }

  function note(source: string, message: string): void {
    const close = h("button", { class: "banner-close", type: "button", title: "Dismiss" }, "×");
    close.addEventListener("click", () => clear(source));
    const banner = h(
      "div",
      { class: "banner banner-note", role: "status", "data-testid": "note-banner", "data-source": source },
      h("p", { class: "banner-message" }, message),
      close,
    );
    const old = banners.get(source);
    if (old) old.replaceWith(banner);
    else el.append(banner);
    banners.set(source, banner);
    setTimeout(() => {
      if (banners.get(source) === banner) clear(source);
    }, NOTE_MS);
  }

  return { el, show, clear, note };
}
