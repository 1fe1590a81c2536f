// The deliveries screen: each target's state, Redeliver for parked deliveries, the latest
// attempts, and why pop-ups wait (also on the dashboard).
import { expect, test } from "vitest";
import { emitFakeEvent } from "./fake-tauri";
import { expectCount, expectText, gotoScreen, openApp, screen } from "./harness";

test("a target with parked deliveries offers Redeliver, which clears the parked count", async () => {
  const { page } = await openApp({ fakeClock: true });
  const deliveries = await gotoScreen(page, "deliveries");
  const webhook = deliveries.locator('[data-testid="target-card"][data-target="webhook:ops"]');
  const desktop = deliveries.locator('[data-testid="target-card"][data-target="desktop"]');
  await expectText(webhook.getByTestId("target-summary"), /\b2 parked\b/);
  await expectText(webhook.getByTestId("target-redeliver"), "Redeliver 2 parked");
  expect(await webhook.getByTestId("target-redeliver").isVisible()).toBe(true);
  expect(await desktop.getByTestId("target-redeliver").isVisible()).toBe(false);

  await webhook.getByTestId("target-redeliver").click();
  await page.clock.runFor(1000); // the next status push
  await expect.poll(() => webhook.getByTestId("target-redeliver").isVisible()).toBe(false);
  await expectText(webhook.getByTestId("target-summary"), /^(?!.*parked).*last delivered/);
  await expectCount(page.getByTestId("error-banner"), 0);
});

test("the latest attempts list shows each delivery's outcome", async () => {
  const { page } = await openApp({ fakeClock: true });
  const deliveries = await gotoScreen(page, "deliveries");
  await page.clock.runFor(3000);
  const attempts = deliveries.getByTestId("delivery-attempts");
  await attempts.locator("summary").click();
  const rows = attempts.locator("tbody tr");
  await expect.poll(() => rows.count()).toBeGreaterThan(0);
  await expectText(rows.first(), /Webhook “ops”.*delivered \(200\) in \d+ ms/);
});

test("waiting pop-ups say why: the pop-up limit (how many per how long) and when they go out", async () => {
  const heldBack = { reason: { kind: "burstLimit", burst: 3, seconds: 60 }, untilMs: Date.now() + 40_000 };
  const status = {
    running: true,
    error: null,
    networks: [],
    listeners: [],
    targets: [{ target: "desktop", queued: 9, parked: 0, held: 0, lastError: null, lastOkMs: null, heldBack }],
    eventsStored: 12,
    warnings: [],
    database: "/tmp/tokenwatch.db",
  };
  const { page } = await openApp({
    fakeClock: true,
    tauri: { engine_status: { value: status }, recent_events: { value: [] }, delivery_attempts: { value: [] } },
  });
  const dashboard = screen(page, "dashboard");
  const health = dashboard.locator('[data-testid="dashboard-health"] .health-line[data-key="deliveries"]');
  await expectText(health.locator(".health-text"), "9 waiting");
  await expectText(health.locator(".health-details li"), /^Desktop notifications: 9 waiting for the pop-up limit\. At most 3 pop-ups per minute, then one summary for the rest: the next go out in \d+ s\.$/);

  const desktop = (await gotoScreen(page, "deliveries")).locator('[data-testid="target-card"][data-target="desktop"]');
  await expectText(desktop.getByTestId("target-summary"), "9 waiting for the pop-up limit");
  await expectText(desktop.getByTestId("target-held"), /^At most 3 pop-ups per minute, then one summary for the rest: the next go out in \d+ s\.$/);

  await emitFakeEvent(page, "engine-status", { ...status, targets: [{ ...status.targets[0], queued: 0, heldBack: null, lastOkMs: Date.now() }] });
  await expectText(desktop.getByTestId("target-summary"), /^last delivered/);
  expect(await desktop.getByTestId("target-held").isVisible()).toBe(false);
});
