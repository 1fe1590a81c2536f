// The live feed: rows arrive as the engine commits events; pausing holds new rows without losing any.
import { expect, test } from "vitest";
import type { Page } from "playwright-core";
import { expectCount, expectText, gotoScreen, openApp } from "./harness";

/** The event ids of the feed's rows, top to bottom. */
function rowIds(page: Page): Promise<number[]> {
  return page.getByTestId("feed-row").evaluateAll((rows) => rows.map((r) => Number(r.getAttribute("data-event-id"))));
}

/** n, n-1, …, 1 */
const newestFirst = (n: number): number[] => Array.from({ length: n }, (_, i) => n - i);

test("shows the recent history, then each new event on top as it arrives", async () => {
  const { page } = await openApp({ fakeClock: true });
  await gotoScreen(page, "feed");
  await expectCount(page.getByTestId("feed-row"), 40);
  await expectText(page.getByTestId("feed-count"), "40 shown, newest first");

  await page.clock.runFor(3000); // three ticks of the mock, one event each
  await expectCount(page.getByTestId("feed-row"), 43);
  expect(await rowIds(page)).toEqual(newestFirst(43));
  await expectText(page.getByTestId("feed-count"), "43 shown, newest first");
});

test("Pause holds new events (counting them) and Resume shows every one of them", async () => {
  const { page } = await openApp({ fakeClock: true });
  await gotoScreen(page, "feed");
  const rows = page.getByTestId("feed-row");
  const pause = page.getByTestId("feed-pause");
  const held = page.getByTestId("feed-new");
  await page.clock.runFor(2000);
  await expectCount(rows, 42);
  const pendingAtPause = await page
    .locator('[data-testid="feed-row"][data-status="pending"]')
    .evaluateAll((rs) => rs.map((r) => r.getAttribute("data-event-id")));

  await pause.click();
  await expectText(pause, "Resume");
  expect(await pause.getAttribute("aria-pressed")).toBe("true");
  expect(await held.isVisible()).toBe(false); // nothing held yet

  await page.clock.runFor(8000);
  await expectText(held, "8 new");
  expect(await held.isVisible()).toBe(true);
  expect(await rowIds(page)).toEqual(newestFirst(42)); // the list did not move
  // Status changes of rows already shown still apply in place while paused.
  for (const id of pendingAtPause) {
    await expect.poll(() => page.locator(`[data-event-id="${id}"]`).getAttribute("data-status")).not.toBe("pending");
  }

  await pause.click();
  await expectText(pause, "Pause");
  expect(await pause.getAttribute("aria-pressed")).toBe("false");
  await expectCount(rows, 50);
  expect(await rowIds(page)).toEqual(newestFirst(50)); // none lost, none doubled, in order
  expect(await held.isVisible()).toBe(false);
});

test("a row opens the event detail (click or Enter); Escape and Close dismiss it", async () => {
  const { page } = await openApp({ fakeClock: true });
  await gotoScreen(page, "feed");
  const row = page.getByTestId("feed-row").nth(2);
  await row.waitFor();
  const cellText = async (cls: string) => ((await row.locator(`td.${cls}`).textContent()) ?? "").trim();
  const [event, listener, block] = [await cellText("event"), await cellText("listener"), await cellText("block")];
  const detail = page.getByTestId("event-detail");
  expect(await detail.isVisible()).toBe(false);

  await row.click();
  await detail.waitFor({ state: "visible" });
  await expectText(detail.locator("#detail-title"), new RegExp(`^${event}\\b`));
  await expectText(detail.locator('[data-field="Listeners"]'), listener);
  await expectText(detail.locator('[data-field="Block"]'), new RegExp(`^${block}(\\D|$)`)); // then an Explorer link
  expect(await detail.getByTestId("detail-args").locator("dt").count()).toBeGreaterThan(0);
  await expectText(detail.getByTestId("detail-status-history"), /stored as pending/);

  await page.keyboard.press("Escape");
  await detail.waitFor({ state: "hidden" });

  await row.focus();
  await page.keyboard.press("Enter");
  await detail.waitFor({ state: "visible" });
  await expectText(detail.locator('[data-field="Block"]'), new RegExp(`^${block}(\\D|$)`)); // then an Explorer link
  await detail.getByTestId("detail-close").click();
  await detail.waitFor({ state: "hidden" });
});

test("an open event detail follows its event: pending, then confirmed (or removed) as the feed row turns", async () => {
  const { page } = await openApp({ fakeClock: true });
  await gotoScreen(page, "feed");
  // The mock stores events of one network as confirmed at once: wait for a pending one.
  const row = page.getByTestId("feed-row").first();
  for (let tick = 0; tick < 20; tick++) {
    await page.clock.runFor(1_000);
    await row.waitFor();
    if ((await row.getAttribute("data-status")) === "pending") break;
  }
  await expectText(row.locator("td.status"), "pending");
  await row.click();
  const detail = page.getByTestId("event-detail");
  await detail.waitFor({ state: "visible" });
  await expectText(detail.getByTestId("detail-status"), "pending");
  const id = await row.getAttribute("data-event-id");

  // Six ticks later the mock engine confirms it (or, now and then, a reorg removes it).
  await page.clock.runFor(8_000);
  const same = page.locator(`[data-testid="feed-row"][data-event-id="${id ?? ""}"]`);
  await expect.poll(async () => ((await same.locator("td.status").textContent()) ?? "").trim()).not.toBe("pending");
  const now = ((await same.locator("td.status").textContent()) ?? "").trim();
  expect(await detail.isVisible()).toBe(true); // still open
  await expectText(detail.getByTestId("detail-status"), now);
  await expectText(detail.locator('[data-field="Confirmations"]'), now === "removed" ? /none/ : /^\d+/);
});
