// Delivery targets on the Deliveries screen: the form's states (formats, Telegram's chat id, the signing
// secret shown only as stored), "Send a test message" with the receiver's answer, refused removal, and the
// listener editor offering a new target by name.
import { expect, test } from "vitest";
import type { Locator, Page } from "playwright-core";
import { expectCount, expectText, gotoScreen, openApp } from "./harness";

/** The error messages under the field labelled `label`. */
function fieldErrors(form: Locator, label: string): Locator {
  return form.locator(".field", { has: form.page().getByLabel(label, { exact: true }) }).locator(".field-errors li");
}

function item(page: Page, key: string): Locator {
  return page.locator(`[data-testid="target-item"][data-target="${key}"]`);
}

async function addWebhook(page: Page): Promise<Locator> {
  const screen = await gotoScreen(page, "deliveries");
  await screen.getByTestId("target-add-webhook").click();
  const form = screen.getByTestId("target-form");
  await form.waitFor();
  return form;
}

test("the webhook form names each wrong field, asks Telegram for a chat id and keeps the secret hidden", async () => {
  const { page } = await openApp();
  const form = await addWebhook(page);
  await expectText(form.locator(".editor-title"), "Add a webhook");
  expect(await form.getByLabel("Chat id", { exact: true }).isVisible()).toBe(false); // standard format

  await form.getByTestId("target-save").click();
  await expectText(fieldErrors(form, "Name"), "Give the target a name.");
  await expectText(fieldErrors(form, "URL"), "Give the URL to post to.");

  await form.getByLabel("Name", { exact: true }).fill("alerts");
  await expectCount(fieldErrors(form, "Name"), 0); // a fixed field clears as it is typed
  await form.getByLabel("URL", { exact: true }).fill("ftp://hooks.example.com/in");
  await expectText(fieldErrors(form, "URL"), "The URL must start with http:// or https://.");
  await form.getByLabel("URL", { exact: true }).fill("https://hooks.example.com/in");
  await form.getByLabel("Signing secret", { exact: true }).fill("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  await form.getByTestId("target-save").click();
  await expectText(fieldErrors(form, "Signing secret"), "The signing secret starts with whsec_.");

  // Telegram: a chat id, no signing secret.
  await form.getByLabel("Format", { exact: true }).selectOption("telegram");
  expect(await form.getByLabel("Chat id", { exact: true }).isVisible()).toBe(true);
  expect(await form.getByLabel("Signing secret", { exact: true }).isVisible()).toBe(false);
  await form.getByLabel("URL", { exact: true }).fill("https://api.telegram.org/bot123:AAH/sendMessage");
  await form.getByTestId("target-save").click();
  await expectText(fieldErrors(form, "Chat id"), "The Telegram format needs the chat id to post to.");
  await expectText(form.getByTestId("target-url-note"), /kept in the system keychain, not in the configuration file/);

  // Back to standard, signed: saved, and the card says the secret is in the keychain.
  await form.getByLabel("Format", { exact: true }).selectOption("standard");
  await form.getByLabel("URL", { exact: true }).fill("https://hooks.example.com/in");
  await form.getByLabel("Signing secret", { exact: true }).fill("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  await expectCount(fieldErrors(form, "Signing secret"), 0);
  await form.getByTestId("target-save").click();
  await form.waitFor({ state: "detached" });
  const alerts = item(page, "webhook:alerts");
  await expectText(alerts.getByTestId("target-line"), "Standard signed JSON · signed (secret in the system keychain) · https://hooks.example.com/in");
  await expectText(alerts.getByTestId("target-used-by"), "No listener delivers here yet.");

  // Editing shows that a secret is stored, never the secret.
  await alerts.getByTestId("target-edit").click();
  const edit = page.getByTestId("target-form");
  await expectText(edit.locator(".editor-title"), "Edit webhook alerts");
  expect(await edit.getByLabel("Signing secret", { exact: true }).inputValue()).toBe("");
  await expectText(edit.getByTestId("target-secret-note"), "A signing secret is stored in the system keychain. Leave this empty to keep it, or type a new one.");
  expect(await page.content()).not.toContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
});

test("Send a test message shows the receiver's answer, its body as text, and the signature headers", async () => {
  const { page } = await openApp();
  const form = await addWebhook(page);
  await form.getByLabel("Name", { exact: true }).fill("signed");
  await form.getByLabel("URL", { exact: true }).fill("https://hooks.example.com/in");
  await form.getByLabel("Signing secret", { exact: true }).fill("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  await form.getByTestId("target-test").click();
  const reply = form.getByTestId("target-test-reply");
  await expectText(reply.getByTestId("target-test-headline"), "The receiver took the test message: HTTP 200 OK.");
  await expectText(reply.getByTestId("target-test-status"), /^Answer: HTTP 200 in \d+ ms$/);
  await expectText(reply.getByTestId("target-test-body"), "ok");
  await expectText(reply.getByTestId("target-test-headers"), /webhook-id: msg_test_1\s+webhook-timestamp: \d+\s+webhook-signature: v1,\S+=/);

  // A refusal: the status, and the body shown as text (no markup made of it).
  await form.getByLabel("URL", { exact: true }).fill("https://refuse.example.com/in");
  await form.getByTestId("target-test").click();
  await expectText(reply.getByTestId("target-test-headline"), "The test message did not get through: The receiver refused the test message: HTTP 403 Forbidden.");
  await expectText(reply.getByTestId("target-test-body"), "<html>invalid_token</html>");
  expect(await reply.locator("html, body").count()).toBe(0);

  // Nothing answers: said in words.
  await form.getByLabel("URL", { exact: true }).fill("https://down.example.com/in");
  await form.getByTestId("target-test").click();
  await expectText(reply.getByTestId("target-test-headline"), /^The test message did not get through: cannot connect to the receiver/);
  await expectCount(reply.getByTestId("target-test-status"), 0);
});

test("a RabbitMQ target checks its URL and exchange, and a password in the URL goes to the keychain", async () => {
  const { page } = await openApp();
  const screen = await gotoScreen(page, "deliveries");
  await screen.getByTestId("target-add-rabbitmq").click();
  const form = screen.getByTestId("target-form");
  await form.getByLabel("Name", { exact: true }).fill("bus");
  await form.getByLabel("Broker URL", { exact: true }).fill("http://mq.example.com");
  await form.getByLabel("Exchange", { exact: true }).fill("");
  await form.getByTestId("target-save").click();
  await expectText(fieldErrors(form, "Broker URL"), "The URL must start with amqp:// or amqps://.");
  await expectText(fieldErrors(form, "Exchange"), "Name the exchange to publish to.");
  await form.getByLabel("Broker URL", { exact: true }).fill("amqp://app:s3cret@mq.example.com:5672/%2f");
  await form.getByLabel("Exchange", { exact: true }).fill("events");
  await form.getByTestId("target-test").click();
  await expectText(form.getByTestId("target-test-headline"), 'The broker confirmed the test message (exchange "events", routing key "Tokenwatch.test.Test").');
  await form.getByTestId("target-save").click();
  await form.waitFor({ state: "detached" });
  await expectText(item(page, "rabbitmq:bus").getByTestId("target-line"), "RabbitMQ · exchange events · URL kept in the system keychain");
});

test("removing a target that listeners use is refused naming them; an unused one is removed", async () => {
  const { page } = await openApp();
  const screen = await gotoScreen(page, "deliveries");
  const ops = item(page, "webhook:ops-hook");
  await expectText(ops.getByTestId("target-used-by"), "Used by usdc-transfers, base-usdc.");
  await ops.getByTestId("target-remove").click();
  await expectText(ops.getByTestId("target-remove-error"),
    "ops-hook cannot be removed while listeners deliver to it: usdc-transfers, base-usdc. Take it off them first.");
  await expectCount(screen.getByTestId("confirm-yes"), 0); // refused before asking

  const form = await addWebhook(page);
  await form.getByLabel("Name", { exact: true }).fill("spare");
  await form.getByLabel("URL", { exact: true }).fill("https://hooks.example.com/spare");
  await form.getByTestId("target-save").click();
  await form.waitFor({ state: "detached" });
  await item(page, "webhook:spare").getByTestId("target-remove").click();
  await screen.getByTestId("confirm-yes").click();
  await expectCount(item(page, "webhook:spare"), 0);
});

test("the listener editor offers a new target by name", async () => {
  const { page } = await openApp();
  const form = await addWebhook(page);
  await form.getByLabel("Name", { exact: true }).fill("alerts");
  await form.getByLabel("URL", { exact: true }).fill("https://hooks.example.com/in");
  await form.getByTestId("target-save").click();
  await form.waitFor({ state: "detached" });

  const listeners = await gotoScreen(page, "listeners");
  await listeners.getByTestId("listener-add").click();
  const editor = listeners.getByTestId("listener-form");
  await editor.waitFor();
  expect(await editor.getByLabel("Webhook alerts", { exact: true }).isVisible()).toBe(true);
  expect(await editor.textContent()).not.toContain("configuration file");
});

test("with no targets yet, the listener editor points to the Deliveries screen, not the configuration file", async () => {
  const status = { running: true, error: null, networks: [], listeners: [], targets: [], eventsStored: 0, warnings: [], database: "/tmp/t.db" };
  const config = {
    path: "/tmp/config.toml",
    networks: [{ name: "local", chain_id: 31337, rpc: ["http://127.0.0.1:8545"], rpc_keychain: [], confirmations: 0, explorer: null,
      poll_interval_ms: null, max_block_range: null, request_timeout_ms: null }],
    listeners: [], webhooks: [], rabbitmq: [], notifications: { quiet_hours: null, burst: null, burst_window_s: null },
  };
  const { page } = await openApp({
    tauri: {
      engine_status: { value: status }, recent_events: { value: [] }, delivery_attempts: { value: [] },
      config_view: { value: config }, event_presets: { value: [] }, check_listener: { value: [] }, target_list: { value: [] },
    },
  });
  const listeners = await gotoScreen(page, "listeners");
  await listeners.getByTestId("listener-add").click();
  const editor = listeners.getByTestId("listener-form");
  await expectText(editor.getByTestId("listener-no-targets"),
    "To post to a webhook, a chat or RabbitMQ, add a target on the Deliveries screen; it is offered here by name.");
  expect(await editor.textContent()).not.toContain("configuration file");
});
