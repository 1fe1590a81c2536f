// What every screen of the window offers the shell: its element and a hook when shown.
import type { AppError } from "./ipc";

export interface ScreenView {
  el: HTMLElement;
  /** Called each time the screen becomes visible (reload what may be stale). */
  shown?(): void;
}

/** Where screens report command failures (the error banners). */
export interface ErrorSink {
  show(source: string, error: AppError): void;
  clear(source: string): void;
}
