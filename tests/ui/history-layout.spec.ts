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

test("last year's events and large amounts fit too: the date with its year, the amount whole", async () => {
  const old = Math.floor(Date.now() / 1000) - 400 * 86_400;
  const row = (id: number, value: string, decimals: number, symbol: string, status: string) => ({
    id, network: "mainnet", chainId: 1, blockNumber: 19_000_000 + id, blockHash: `0x${"ab".repeat(32)}`,
    blockTime: old - id * 3_600, txHash: `0x${"cd".repeat(32)}`, logIndex: 0,
    contract: "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48", event: "Transfer",
    signature: "Transfer(address,address,uint256)", listener: "usdc-transfers", listeners: ["usdc-transfers"], status,
    args: { from: `0x${"11".repeat(20)}`, to: `0x${"22".repeat(20)}`, value }, argNames: ["from", "to", "value"],
    decimals, symbol,
  });
  const rows = [
    row(3, "123456789123456", 6, "USDC", "confirmed"),
    row(2, "4999999123", 18, "WETH", "pending"),
    row(1, "1234567890123456789012345", 18, "WETH", "removed"),
  ];
  const status = { running: true, error: null, networks: [], listeners: [], targets: [], eventsStored: 3, warnings: [], database: "/tmp/t.db" };
  const { page } = await openApp({
    viewport: APP_WINDOW,
    tauri: {
      engine_status: { value: status },
      recent_events: { value: [] },
      history_index: { value: { count: 3, every: 200, anchors: [] } },
      history_page: { value: rows },
    },
  });
  await gotoScreen(page, "history");
  await expect.poll(async () => (await cells(page)).length).toBe(3);
  const shown = await cells(page);
  expect(shown.map((r) => r.amount.text)).toEqual(["123,456,789.123… USDC", "0.0000000049999… WETH", "1,234,567.89012… WETH"]);
  for (const r of shown) {
    expect(r.time.text).toMatch(/^\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}$/);
    for (const id of ["time", "block", "amount", "status"]) expect(r[id].cut, `${id} cut off: ${r[id].text}`).toBe(false);
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
