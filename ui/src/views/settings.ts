// Settings screen: where files live, start at login, desktop pop-up preferences, theme note.
import { h, setText } from "../dom";
import { toAppError, type Backend } from "../ipc";
import { choice, copyButton, errorBox, field } from "./form";
import type { ErrorSink, ScreenView } from "../screen";
import type { NotificationsEntry } from "../bindings/NotificationsEntry";
import type { Settings } from "../bindings/Settings";

const PATHS: [keyof Settings, string][] = [
  ["dataDir", "Data folder"],
  ["configPath", "Configuration file"],
  ["database", "Event database"],
  ["logDir", "Log folder"],
];

/** "22:00-07:00" -> ["22:00", "07:00"]; null when empty or not in that form. */
function splitQuietHours(text: string | null): [string, string] | null {
  const m = /^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$/.exec(text ?? "");
  return m ? [m[1].padStart(5, "0"), m[2].padStart(5, "0")] : null;
}

function wholeOrNull(input: HTMLInputElement): number | null {
  const t = input.value.trim();
  return t === "" ? null : Number(t);
}

export function createSettings(backend: Backend, errors: ErrorSink): ScreenView {
  const paths = h("dl", { class: "paths" });
  const autostart = h("input", { type: "checkbox", name: "autostart" });
  const autostartError = h("div");

  const quietFrom = h("input", { type: "time", name: "quiet_from" });
  const quietTo = h("input", { type: "time", name: "quiet_to" });
  const burst = h("input", { type: "number", name: "burst", min: 1, step: 1, inputmode: "numeric", placeholder: "3" });
  const windowS = h("input", { type: "number", name: "burst_window_s", min: 1, step: 1, inputmode: "numeric", placeholder: "60" });
  const fFrom = field("Quiet from", quietFrom);
  const fTo = field("until", quietTo);
  const fBurst = field("Pop-ups at most", burst, "Beyond this, one summary stands for the rest (default 3).");
  const fWindow = field("per (seconds)", windowS, "Default 60.");
  const save = h("button", { type: "submit", class: "button primary", "data-testid": "notifications-save" }, "Save");
  const saved = h("span", { class: "save-state muted", "aria-live": "polite" });
  const notifyError = h("div");
  const notifications = h("form", { class: "settings-form", "data-testid": "notifications-form", novalidate: true },
    h("p", { class: "help" }, "No pop-ups during quiet hours; what happened is summarised when they end. Leave both empty for none."),
    h("div", { class: "row-2" }, fFrom.el, fTo.el),
    h("div", { class: "row-2" }, fBurst.el, fWindow.el),
    notifyError,
    h("div", { class: "editor-actions" }, save, saved));

  // Secrets in the OS keychain, for the configuration to name (`secret_keychain = "name"`).
  const keychainState = h("p", { class: "help", "data-testid": "keychain-status", "aria-live": "polite" }, "Checking the keychain…");
  const secretName = h("input", { name: "secret_name", spellcheck: false, autocomplete: "off", placeholder: "ops-secret" });
  const secretValue = h("input", { name: "secret_value", type: "password", autocomplete: "off", spellcheck: false });
  const fSecretName = field("Name", secretName, "What the configuration calls it.");
  const fSecretValue = field("Secret", secretValue, "A webhook secret, or a URL that carries an API key.");
  const storeButton = h("button", { type: "submit", class: "button", "data-testid": "secret-store" }, "Keep in keychain");
  const stored = h("p", { class: "save-state muted", "data-testid": "secret-stored", "aria-live": "polite" });
  const secretError = h("div");
  const secrets = h("form", { class: "settings-form", "data-testid": "secret-form", novalidate: true },
    keychainState,
    h("div", { class: "row-2" }, fSecretName.el, fSecretValue.el),
    secretError,
    h("div", { class: "editor-actions" }, storeButton),
    stored);

  const el = h("section", { class: "panel config-screen settings", "data-testid": "settings", "aria-labelledby": "settings-title" },
    h("h2", { class: "panel-title", id: "settings-title" }, "Settings"),
    h("fieldset", { class: "group" }, h("legend", {}, "Files"), paths),
    h("fieldset", { class: "group" }, h("legend", {}, "Startup"),
      choice(autostart, "Start Tokenwatch when I log in", "It keeps watching in the background; the window opens from the tray icon."),
      autostartError),
    h("fieldset", { class: "group" }, h("legend", {}, "Desktop pop-ups"), notifications),
    h("fieldset", { class: "group" }, h("legend", {}, "Secrets"), secrets),
    h("fieldset", { class: "group" }, h("legend", {}, "Appearance"),
      h("p", { class: "help" }, "The light or dark theme follows your system setting.")));

  let dirty = false;

  function fillNotifications(n: NotificationsEntry): void {
    const quiet = splitQuietHours(n.quiet_hours);
    quietFrom.value = quiet?.[0] ?? "";
    quietTo.value = quiet?.[1] ?? "";
    burst.value = n.burst == null ? "" : String(n.burst);
    windowS.value = n.burst_window_s == null ? "" : String(n.burst_window_s);
    dirty = false;
  }

  async function load(): Promise<void> {
    try {
      const [s, view] = await Promise.all([backend.settings(), backend.configView()]);
      errors.clear("settings");
      paths.replaceChildren(...PATHS.map(([key, label]) => {
        const value = String(s[key]);
        return h("div", { class: "path-row" }, h("dt", {}, label),
          h("dd", { class: "mono selectable", "data-testid": "settings-path", "data-path": key }, value),
          h("dd", {}, copyButton(value, label)));
      }));
      autostart.checked = s.autostart;
      if (!dirty) fillNotifications(view.notifications);
    } catch (err) {
      errors.show("settings", toAppError(err));
    }
    backend.keychainStatus()
      .then(() => {
        setText(keychainState, "Secrets kept here stay in the OS keychain; the configuration names them, e.g. secret_keychain = \"ops-secret\".");
        storeButton.disabled = false;
      })
      .catch((err: unknown) => {
        setText(keychainState, `${toAppError(err).message} Use a *_env key in the configuration instead.`);
        storeButton.disabled = true;
      });
  }

  secrets.addEventListener("submit", (e) => {
    e.preventDefault();
    const name = secretName.value.trim();
    fSecretName.setErrors(/^[\w.-]+$/.test(name) ? [] : ["Give a name of letters, digits, '.', '-' or '_'."]);
    fSecretValue.setErrors(secretValue.value === "" ? ["Enter the secret."] : []);
    const bad = secrets.querySelector<HTMLElement>("[aria-invalid]");
    if (bad) return bad.focus();
    storeButton.disabled = true;
    secretError.replaceChildren();
    setText(stored, "");
    backend.storeSecret(name, secretValue.value)
      .then(() => {
        secretValue.value = "";
        setText(stored, `Kept as "${name}". Name it in the configuration: secret_keychain, url_keychain or rpc_keychain = "${name}".`);
      })
      .catch((err: unknown) => secretError.replaceChildren(errorBox("The secret was not kept", toAppError(err))))
      .finally(() => (storeButton.disabled = false));
  });

  autostart.addEventListener("change", () => {
    const wanted = autostart.checked;
    autostart.disabled = true;
    autostartError.replaceChildren();
    backend.setAutostart(wanted)
      .then((now) => (autostart.checked = now))
      .catch((err: unknown) => {
        autostart.checked = !wanted;
        autostartError.replaceChildren(errorBox("Start at login was not changed", toAppError(err)));
      })
      .finally(() => (autostart.disabled = false));
  });

  notifications.addEventListener("input", () => {
    dirty = true;
    saved.textContent = "";
  });
  notifications.addEventListener("submit", (e) => {
    e.preventDefault();
    const bothOrNone = (quietFrom.value === "") === (quietTo.value === "");
    const same = quietFrom.value !== "" && quietFrom.value === quietTo.value;
    fTo.setErrors(!bothOrNone ? ["Give both a start and an end time, or neither."] : same ? ["The end must differ from the start."] : []);
    // "10,000" is no number to the browser: the field then reads empty (badInput).
    const whole = (input: HTMLInputElement) =>
      !input.validity.badInput && (input.value.trim() === "" || /^[1-9]\d*$/.test(input.value.trim()));
    fBurst.setErrors(whole(burst) ? [] : ["Enter a whole number of at least 1, or leave it empty."]);
    fWindow.setErrors(whole(windowS) ? [] : ["Enter a whole number of seconds, or leave it empty."]);
    const bad = notifications.querySelector<HTMLElement>("[aria-invalid]");
    if (bad) return bad.focus();
    const entry: NotificationsEntry = {
      quiet_hours: quietFrom.value === "" ? null : `${quietFrom.value}-${quietTo.value}`,
      burst: wholeOrNull(burst),
      burst_window_s: wholeOrNull(windowS),
    };
    save.disabled = true;
    notifyError.replaceChildren();
    backend.saveNotifications(entry)
      .then((view) => {
        fillNotifications(view.notifications);
        saved.textContent = "Saved.";
      })
      .catch((err: unknown) => notifyError.replaceChildren(errorBox("The preferences were not saved", toAppError(err))))
      .finally(() => (save.disabled = false));
  });

  return { el, shown: () => void load() };
}
