// The Settings screen: where the files are (with Copy), start at login, quiet hours and pop-up limits.
import { expect, test } from "vitest";
import { fakeCalls, setFakeAnswer, type FakeAnswers } from "./fake-tauri";
import { expectText, gotoScreen, openApp } from "./harness";

const HOME = "/home/you/.local/share/tokenwatch";

/** Scripted answers for an app with nothing configured, on the Settings screen, plus `more`. */
function settingsAnswers(more: FakeAnswers): FakeAnswers {
  const settingsValue = { dataDir: HOME, configPath: `${HOME}/config.toml`, database: `${HOME}/tokenwatch.db`, logDir: `${HOME}/logs`, autostart: false };
  const view = {
    path: `${HOME}/config.toml`, networks: [], listeners: [], webhooks: [], rabbitmq: [],
    notifications: { quiet_hours: null, burst: null, burst_window_s: null },
  };
  return {
    engine_status: { value: { running: true, error: null, networks: [], listeners: [], targets: [], eventsStored: 0, database: "", warnings: [] } },
    recent_events: { value: [] },
    dashboard: { value: { until: null, bucketSecs: 1800, series: [], topContracts: [], topAddresses: [], addressSample: 0 } },
    settings: { value: settingsValue },
    config_view: { value: view },
    ...more,
  };
}

test("shows the four paths, each with a Copy button that copies it", async () => {
  const { page } = await openApp();
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  const settings = await gotoScreen(page, "settings");
  const paths = settings.getByTestId("settings-path");
  await expect.poll(() => paths.count()).toBe(4);
  const shown = await settings.locator(".path-row").evaluateAll((rows) =>
    rows.map((r) => [r.querySelector("dt")?.textContent, r.querySelector('[data-testid="settings-path"]')?.textContent]),
  );
  expect(shown).toEqual([
    ["Data folder", HOME],
    ["Configuration file", `${HOME}/config.toml`],
    ["Event database", `${HOME}/tokenwatch.db`],
    ["Log folder", `${HOME}/logs`],
  ]);
  for (const label of ["Data folder", "Configuration file", "Event database", "Log folder"]) {
    expect(await settings.getByRole("button", { name: `Copy ${label}` }).isVisible(), label).toBe(true);
  }

  const copy = settings.getByRole("button", { name: "Copy Event database" });
  await copy.click();
  await expectText(copy, "Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${HOME}/tokenwatch.db`);
  await expectText(copy, "Copy"); // back after a moment
});

test("start at login is off by default and stays on once turned on", async () => {
  const { page } = await openApp();
  const settings = await gotoScreen(page, "settings");
  const autostart = settings.locator('input[name="autostart"]');
  await settings.getByTestId("settings-path").first().waitFor();
  expect(await autostart.isChecked()).toBe(false);

  await autostart.check();
  await expect.poll(() => autostart.isEnabled()).toBe(true); // the call has answered
  expect(await autostart.isChecked()).toBe(true);

  // Leaving and coming back reads the setting again.
  await gotoScreen(page, "dashboard");
  await gotoScreen(page, "settings");
  await settings.getByTestId("settings-path").first().waitFor();
  await expect.poll(() => autostart.isChecked()).toBe(true);
});

test("toggling start at login calls set_autostart; a refusal puts the box back and says why", async () => {
  const { page } = await openApp({ tauri: settingsAnswers({ set_autostart: { value: true } }) });
  const settings = await gotoScreen(page, "settings");
  const autostart = settings.locator('input[name="autostart"]');
  await settings.getByTestId("settings-path").first().waitFor();
  expect(await autostart.isChecked()).toBe(false);

  await autostart.check();
  await expect.poll(async () => (await fakeCalls(page)).filter((c) => c === "set_autostart").length).toBe(1);
  await expect.poll(() => autostart.isEnabled()).toBe(true);
  expect(await autostart.isChecked()).toBe(true);

  const message = "The login item could not be removed.";
  await setFakeAnswer(page, "set_autostart", { error: { code: "autostart.failed", message } });
  await autostart.click(); // (uncheck() would insist that the box stays unticked)
  await expect.poll(async () => (await fakeCalls(page)).filter((c) => c === "set_autostart").length).toBe(2);
  await expectText(settings.locator(".form-error p"), `Start at login was not changed: ${message}`);
  expect(await autostart.isChecked()).toBe(true); // as it still is
  expect(await autostart.isEnabled()).toBe(true);
});

test("quiet hours and pop-up limits save; an invalid value shows a message and is not saved", async () => {
  const { page } = await openApp();
  const settings = await gotoScreen(page, "settings");
  const form = settings.getByTestId("notifications-form");
  const from = form.locator('input[name="quiet_from"]');
  const to = form.locator('input[name="quiet_to"]');
  const burst = form.locator('input[name="burst"]');
  const state = form.locator(".save-state");
  const errorsUnder = (name: string) => form.locator(".field", { has: page.locator(`input[name="${name}"]`) }).locator(".field-errors li");
  // The mock's configuration: quiet from 22:00 until 07:00.
  await expect.poll(() => from.inputValue()).toBe("22:00");
  expect(await to.inputValue()).toBe("07:00");

  // Only one end of the quiet hours.
  await to.fill("");
  await form.getByTestId("notifications-save").click();
  await expectText(errorsUnder("quiet_to"), "Give both a start and an end time, or neither.");
  expect(await to.getAttribute("aria-invalid")).not.toBeNull();
  expect(await state.textContent()).toBe("");

  // The same time twice, and a burst of zero.
  await to.fill("22:00");
  await burst.fill("0");
  await form.getByTestId("notifications-save").click();
  await expectText(errorsUnder("quiet_to"), "The end must differ from the start.");
  await expectText(errorsUnder("burst"), "Enter a whole number of at least 1, or leave it empty.");
  expect(await state.textContent()).toBe("");

  await from.fill("23:30");
  await to.fill("06:15");
  await burst.fill("5");
  await form.getByTestId("notifications-save").click();
  await expectText(state, "Saved.");
  expect(await errorsUnder("quiet_to").count()).toBe(0);
  expect(await errorsUnder("burst").count()).toBe(0);

  // Saved for real: a fresh look at the screen reads them back.
  await gotoScreen(page, "dashboard");
  await gotoScreen(page, "settings");
  await expect.poll(() => from.inputValue()).toBe("23:30");
  expect(await to.inputValue()).toBe("06:15");
  expect(await burst.inputValue()).toBe("5");
});

test("a secret goes to the OS keychain under its name; without a keychain the form says so", async () => {
  const { page } = await openApp({
    tauri: settingsAnswers({ keychain_status: { value: null }, store_secret: { value: null } }),
  });
  const settings = await gotoScreen(page, "settings");
  const form = settings.getByTestId("secret-form");
  await expectText(settings.getByTestId("keychain-status"), /stay in the OS keychain/);
  await form.locator('input[name="secret_name"]').fill("ops secret");
  await form.locator('input[name="secret_value"]').fill("whsec_abc");
  await settings.getByTestId("secret-store").click();
  expect(await form.locator('input[name="secret_name"]').getAttribute("aria-invalid")).not.toBeNull();
  expect(await fakeCalls(page)).not.toContain("store_secret");
  await form.locator('input[name="secret_name"]').fill("ops-secret");
  await settings.getByTestId("secret-store").click();
  await expectText(settings.getByTestId("secret-stored"), /Kept as "ops-secret"/);
  expect(await fakeCalls(page)).toContain("store_secret");
  expect(await form.locator('input[name="secret_value"]').inputValue()).toBe("");

  const message = "No OS keychain answers (no Secret Service on this session).";
  await setFakeAnswer(page, "keychain_status", { error: { code: "keychain.unavailable", message } });
  await gotoScreen(page, "dashboard");
  await gotoScreen(page, "settings");
  await expectText(settings.getByTestId("keychain-status"), new RegExp(`^${message.replace(/[.()]/g, "\\$&")} Use a \\*_env key`));
  expect(await settings.getByTestId("secret-store").isDisabled()).toBe(true);
});
