// The list/editor pair of the Networks and Listeners screens: one editor at a time in place
// of the list, and the configuration view they render, replaced by each save's answer.
import { toAppError, type Backend } from "../ipc";
import type { ErrorSink } from "../screen";
import type { ConfigView } from "../bindings/ConfigView";

export interface Panes {
  /** The configuration as last read (null until read, or when the file cannot be read). */
  config(): ConfigView | null;
  /** Takes a fresher view (an edit's answer) and re-renders. */
  set(view: ConfigView): void;
  /** Reads the configuration again and re-renders. */
  reload(): Promise<void>;
  /** Shows `form` in place of the list, focused on its name field. */
  open(form: HTMLElement): void;
  /** Back to the list; after a save (`saved`), with the saved configuration. */
  close(saved: ConfigView | null): void;
  editing(): boolean;
}

export function createPanes(
  backend: Backend,
  errors: ErrorSink,
  listPane: HTMLElement,
  editorPane: HTMLElement,
  focusAfter: HTMLElement,
  render: () => void,
): Panes {
  let config: ConfigView | null = null;
  const reload = async (): Promise<void> => {
    try {
      config = await backend.configView();
      errors.clear("config_view");
    } catch (err) {
      errors.show("config_view", toAppError(err));
    }
    render();
  };
  return {
    config: () => config,
    set(view) {
      config = view;
      render();
    },
    reload,
    open(form) {
      editorPane.replaceChildren(form);
      listPane.hidden = true;
      editorPane.hidden = false;
      form.querySelector<HTMLInputElement>("[name=name]")?.focus();
    },
    close(saved) {
      editorPane.replaceChildren();
      editorPane.hidden = true;
      listPane.hidden = false;
      focusAfter.focus();
      // The save answered with the configuration as written: no need to read it again.
      if (saved) {
        config = saved;
        render();
      }
    },
    editing: () => !editorPane.hidden,
  };
}
