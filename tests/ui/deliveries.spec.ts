// The deliveries screen: each target's state, Redeliver for parked deliveries, the latest attempts.
import { expect, test } from "vitest";
import { expectCount, expectText, gotoScreen, openApp } from "./harness";

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
