// History in the app's first window (1200 × 800): the default columns fit, amounts read in
// token units, one sort arrow, and empty time filters that do not look like a date.
import { expect, test } from "vitest";
import type { Locator, Page } from "playwright-core";
import { APP_WINDOW, expectText, gotoScreen, openApp } from "./harness";

/** Each shown row's cells by column id: text, tooltip, and whether the text is cut off. */
async function cells(page: Page): Promise<Record<string, { text: string; title: string; cut: boolean }>[]> {
  return page.locator('[data-testid="history-table"] .vt-row[data-id]').evaluateAll((rows) =>
    rows.map((r) =>
      Object.fromEntries(
        [...r.querySelectorAll<HTMLElement>(".hist-cell")].map((c) => [
          [...c.classList].find((k) => k.startsWith("hc-"))?.slice(3) ?? "?",
          { text: (c.textContent ?? "").trim(), title: c.title, cut: c.scrollWidth > c.clientWidth },
        ]),
      ),
    ),
  );
}

/** Which headers show a sort arrow, and their aria-sort. */
async function arrows(history: Locator): Promise<Record<string, string>> {
  const shown = await history.locator('[role="columnheader"]').evaluateAll((els) =>
    els.flatMap((e) => {
      const arrow = (e.querySelector(".hist-arrow")?.textContent ?? "").trim();
      return arrow === "" ? [] : [[(e.textContent ?? "").replace(arrow, "").trim(), `${arrow} ${e.getAttribute("aria-sort") ?? ""}`]];
    }),
  );
  return Object.fromEntries(shown);
}

test("the default columns fit the first window: Status on screen, amounts whole and in token units", async () => {
  const { page } = await openApp({ fakeClock: true, viewport: APP_WINDOW });
  const history = await gotoScreen(page, "history");
  await expectText(history.getByTestId("history-count"), "250,040 events");
  const table = history.getByTestId("history-table");
  await expect.poll(async () => (await cells(page)).length).toBeGreaterThan(10);

  const scroller = await table.locator(".vt-scroll").evaluate((el) => ({ width: el.clientWidth, content: el.scrollWidth }));
  expect(scroller.content, "no sideways scrolling").toBeLessThanOrEqual(scroller.width);
  const box = await table.boundingBox();
  const status = await history.locator('[role="columnheader"].hc-status').boundingBox();
  expect(status, "a Status column").not.toBeNull();
  expect((status?.x ?? 0) + (status?.width ?? 0)).toBeLessThanOrEqual((box?.x ?? 0) + (box?.width ?? 0));

  const rows = await cells(page);
  for (const r of rows) {
    const raw = /= (\d+)/.exec(r.amount.title)?.[1] ?? "";
    expect(raw, `raw amount in the tooltip of ${JSON.stringify(r.amount)}`).not.toBe("");
    expect(r.amount.text, "units and symbol only").toMatch(/^[\d,]+(\.\d+…?)? (USDC|WETH)$/);
    expect(r.amount.text).not.toContain(raw);
    expect(r.amount.cut, `amount cut off: ${r.amount.text}`).toBe(false);
    for (const id of ["time", "block", "listener", "event", "status"]) {
      expect(r[id].cut, `${id} cut off: ${r[id].text}`).toBe(false);
    }
  }
});

test("only the column the rows are sorted by shows a sort arrow", async () => {
  const { page } = await openApp({ fakeClock: true, viewport: APP_WINDOW });
  const history = await gotoScreen(page, "history");
  await expectText(history.getByTestId("history-count"), "250,040 events");
  expect(await arrows(history)).toEqual({ Time: "▼ descending" });
  expect(await history.locator('[role="columnheader"].hc-block').getAttribute("aria-sort")).toBe("none");

  await history.locator('[data-sort="block"]').click();
  await expect.poll(() => arrows(history)).toEqual({ Block: "▼ descending" });
  expect(await history.locator('[role="columnheader"].hc-time').getAttribute("aria-sort")).toBe("none");

  await history.locator('[data-sort="amount"]').click();
  await expect.poll(() => arrows(history)).toEqual({ Amount: "▼ descending" });

  await history.locator('[data-sort="time"]').click();
  await expect.poll(() => arrows(history)).toEqual({ Time: "▼ descending" });
});

test("empty time filters say what they take instead of showing a date, and typed dates filter", async () => {
  const { page } = await openApp({ fakeClock: true, viewport: APP_WINDOW });
  const history = await gotoScreen(page, "history");
  const count = history.getByTestId("history-count");
  await expectText(count, "250,040 events");
  const from = history.locator('input[name="fromTime"]');
  const to = history.locator('input[name="toTime"]');
  await expectText(history.locator('.hist-field:has(input[name="fromTime"]) .hist-label'), "Time, like 2024-03-04 14:30");
  for (const input of [from, to]) {
    expect(await input.inputValue()).toBe("");
    // What an empty field shows is its placeholder: words, no date that reads as a filter in use.
    expect((await input.getAttribute("placeholder")) ?? "").toMatch(/^(from|to) any date$/);
    expect(await input.evaluate((el: HTMLInputElement) => el.type)).toBe("text");
  }

  const day = new Date(Date.now() - 10 * 86_400_000);
  const pad = (n: number) => String(n).padStart(2, "0");
  await from.fill(`${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`);
  await history.getByTestId("history-apply").click();
  await expect.poll(async () => Number(((await count.textContent()) ?? "").replace(/\D/g, ""))).toBeLessThan(250_040);
  expect(Number(((await count.textContent()) ?? "").replace(/\D/g, ""))).toBeGreaterThan(50_000); // the last ten of thirty days

  await to.fill("yesterday");
  await history.getByTestId("history-apply").click();
  await expectText(history.getByTestId("history-filter-error"), /^To time: “yesterday” is not a date/);
});
