// The History screen: a virtualised table over the mock's 250,000 synthetic events (plus the live
// ones), with filters, sorting, a column chooser that is remembered, and CSV export.
import { expect, test } from "vitest";
import type { Locator, Page } from "playwright-core";
import { expectText, gotoScreen, openApp } from "./harness";

/** The mock's synthetic history, and the live events it starts with. */
const SYNTHETIC = 250_000;
const LIVE = 40;

interface ShownRow {
  /** Position in the list, 0-based (the header is aria-rowindex 1). */
  index: number;
  /** Null while the row is a placeholder. */
  id: number | null;
  listener: string | null;
  selected: boolean;
  /** The last row of the list. */
  last: boolean;
  /** Text and tooltip of each cell by column id (`hc-<id>`). */
  cells: Record<string, { text: string; title: string }>;
}

/** The rows in the DOM (a window of the list, overscan included), top to bottom. */
async function shownRows(page: Page): Promise<ShownRow[]> {
  const rows = await page.locator('[data-testid="history-table"] .vt-row').evaluateAll((els) =>
    els.map((r) => ({
      index: Number(r.getAttribute("aria-rowindex")) - 2,
      id: r.hasAttribute("data-id") ? Number(r.getAttribute("data-id")) : null,
      listener: r.getAttribute("data-listener"),
      selected: r.getAttribute("aria-selected") === "true",
      last: r.getAttribute("aria-rowindex") === r.closest("[aria-rowcount]")?.getAttribute("aria-rowcount"),
      cells: Object.fromEntries(
        [...r.querySelectorAll<HTMLElement>(".hist-cell")].flatMap((c) => {
          const id = [...c.classList].find((k) => k.startsWith("hc-"))?.slice(3);
          return id == null ? [] : [[id, { text: (c.textContent ?? "").trim(), title: c.title }]];
        }),
      ),
    })),
  );
  return rows.sort((a, b) => a.index - b.index);
}

/** The number in "250,040 events". */
async function countOf(count: Locator): Promise<number> {
  return Number(((await count.textContent()) ?? "").replace(/\D/g, ""));
}

/** The raw integer amount from an amount cell's tooltip ("value = 1250000 (…)"). */
function rawAmount(row: ShownRow): bigint {
  const m = /= (\d+)/.exec(row.cells.amount?.title ?? "");
  if (!m) throw new Error(`row ${row.index} has no amount: ${JSON.stringify(row.cells.amount)}`);
  return BigInt(m[1]);
}

/** Waits until the rows shown are loaded (no placeholders) and pass `check`; returns them. */
async function loadedRows(page: Page, check: (rows: ShownRow[]) => boolean = () => true): Promise<ShownRow[]> {
  let rows: ShownRow[] = [];
  await expect
    .poll(async () => {
      rows = await shownRows(page);
      return rows.length > 0 && rows.every((r) => r.id != null) && check(rows);
    })
    .toBe(true);
  return rows;
}

/** Row ids in list order go down by exactly one each (the synthetic ids are consecutive). */
function consecutiveNewestFirst(rows: ShownRow[]): boolean {
  return rows.every((r, k) => k === 0 || (r.index === rows[k - 1].index + 1 && r.id === (rows[k - 1].id ?? 0) - 1));
}

test("counts every stored event, draws only a window of rows, and takes new events in at the top", async () => {
  const { page } = await openApp({ fakeClock: true });
  const history = await gotoScreen(page, "history");
  const count = history.getByTestId("history-count");
  await expectText(count, "250,040 events");

  const rows = await loadedRows(page);
  expect(rows.length).toBeGreaterThan(10);
  expect(rows.length).toBeLessThan(100); // of 250,040
  expect(rows.map((r) => r.index)).toEqual(rows.map((_, k) => k));
  // Newest first: the live events (ids 40 … 1), then the synthetic ones (ids 0, -1, …).
  expect(rows.slice(0, 5).map((r) => r.id)).toEqual([40, 39, 38, 37, 36]);
  expect(await history.getByTestId("history-table").getAttribute("aria-rowcount")).toBe(String(SYNTHETIC + LIVE + 1));

  await page.clock.runFor(1000); // one more event from the mock; the top of the list refreshes
  await page.clock.runFor(50);
  await expectText(count, "250,041 events");
  await loadedRows(page, (r) => r[0].id === 41);
  expect(await history.getByTestId("history-new").isVisible()).toBe(false); // shown, not held
});

test("scrolling to the middle and to the end shows the rows there", async () => {
  const { page } = await openApp();
  const history = await gotoScreen(page, "history");
  const table = history.getByTestId("history-table");
  const scroller = table.locator(".vt-scroll");
  await loadedRows(page);

  // Live events keep arriving (real time here): a page read just before one arrived is
  // one row off until the refresh that follows, so wait for the view to settle.
  await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
  const middle = await loadedRows(page, (r) => r[0].index > 100_000 && consecutiveNewestFirst(r));
  expect(middle[0].index).toBeLessThan(150_000);
  expect(middle.length).toBeLessThan(100);
  expect(consecutiveNewestFirst(middle)).toBe(true);

  await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight));
  const end = await loadedRows(page, (r) => r[r.length - 1].last && consecutiveNewestFirst(r));
  expect(end[end.length - 1].id).toBe(-SYNTHETIC); // the oldest synthetic event
  expect(consecutiveNewestFirst(end)).toBe(true);
  expect(end.length).toBeLessThan(100);
});

test("keyboard: End selects the last row, Enter opens its detail, Home goes back to the first", async () => {
  const { page } = await openApp();
  const history = await gotoScreen(page, "history");
  const table = history.getByTestId("history-table");
  await loadedRows(page);
  const selectedRow = (rows: ShownRow[]) => rows.find((r) => r.selected);

  await table.focus();
  await page.keyboard.press("End");
  const last = selectedRow(await loadedRows(page, (rows) => selectedRow(rows)?.last === true));
  expect(last?.id).toBe(-SYNTHETIC); // the oldest event
  expect(await table.getAttribute("aria-activedescendant")).toMatch(new RegExp(`-${last?.index}$`));

  await page.keyboard.press("Enter");
  const detail = page.getByTestId("event-detail");
  await detail.waitFor({ state: "visible" });
  await expectText(detail.locator('[data-field="Block"]'), new RegExp(`^${last?.cells.block.text ?? "?"}(\\D|$)`));
  await expectText(detail.locator("#detail-title"), new RegExp(`^${last?.cells.event.text ?? "?"}\\b`));
  await page.keyboard.press("Escape");
  await detail.waitFor({ state: "hidden" });

  await table.focus();
  await page.keyboard.press("ArrowUp");
  await loadedRows(page, (rows) => selectedRow(rows)?.id === -SYNTHETIC + 1);
  // Home goes to the top, where the events that arrived meanwhile come in above the selection
  // (it stays on the event that was first), so only "near the top" is certain here.
  await page.keyboard.press("Home");
  await loadedRows(page, (rows) => rows[0].index === 0 && (selectedRow(rows)?.index ?? Infinity) < 30);
});

test("a listener filter narrows the count and every row shown matches; Clear shows everything again", async () => {
  const { page } = await openApp({ fakeClock: true });
  const history = await gotoScreen(page, "history");
  const count = history.getByTestId("history-count");
  await expectText(count, "250,040 events");

  await history.locator('input[name="listener"]').fill("weth-approvals");
  await history.getByTestId("history-apply").click();
  await expect.poll(() => countOf(count)).toBeLessThan(SYNTHETIC);
  const n = await countOf(count);
  expect(n).toBeGreaterThan(10_000); // about a fifth of the mock's events
  const rows = await loadedRows(page);
  expect(rows.every((r) => r.listener === "weth-approvals" && r.cells.event.text === "Approval")).toBe(true);
  expect(await history.getByTestId("history-table").getAttribute("aria-rowcount")).toBe(String(n + 1));

  await history.getByTestId("history-clear").click();
  await expectText(count, "250,040 events");
  expect(await history.locator('input[name="listener"]').inputValue()).toBe("");
});

test("an address from a row filters to the events that mention it", async () => {
  const { page } = await openApp({ fakeClock: true });
  const history = await gotoScreen(page, "history");
  const count = history.getByTestId("history-count");
  await expectText(count, "250,040 events");
  const args = (await loadedRows(page))[0].cells.args.title;
  const address = /0x[0-9a-f]{40}/.exec(args)?.[0];
  expect(address, `an address in ${args}`).toBeDefined();

  await history.locator('input[name="address"]').fill(address ?? "");
  await history.getByTestId("history-apply").click();
  await expect.poll(() => countOf(count)).toBeLessThan(SYNTHETIC);
  expect(await countOf(count)).toBeGreaterThan(0);
  const rows = await loadedRows(page);
  for (const r of rows) expect(r.cells.args.title.toLowerCase()).toContain(address);
});

test("a bad address says which field is wrong and keeps the rows shown", async () => {
  const { page } = await openApp({ fakeClock: true });
  const history = await gotoScreen(page, "history");
  const count = history.getByTestId("history-count");
  await expectText(count, "250,040 events");
  const before = (await loadedRows(page)).map((r) => r.id);
  const problem = history.getByTestId("history-filter-error");
  const input = history.locator('input[name="address"]');
  expect(await problem.isVisible()).toBe(false);

  await input.fill("0x12345");
  await history.getByTestId("history-apply").click();
  await expectText(problem, "Address: “0x12345” is not an address (0x and 40 hex digits) nor a label in the address book.");
  expect(await problem.isVisible()).toBe(true);
  expect(await input.getAttribute("aria-invalid")).toBe("true");
  expect(await history.locator('input[name="listener"]').getAttribute("aria-invalid")).toBeNull();
  await expectText(count, "250,040 events");
  // The same rows (fewer fit while the message takes room above the table).
  const after = (await loadedRows(page)).map((r) => r.id);
  expect(after.length).toBeGreaterThan(10);
  expect(after).toEqual(before.slice(0, after.length));

  await input.fill("");
  await history.getByTestId("history-apply").click();
  await expect.poll(() => problem.isVisible()).toBe(false);
  expect(await input.getAttribute("aria-invalid")).toBeNull();
});

test("sorting by amount shows the largest amounts first, then the smallest", async () => {
  const { page } = await openApp({ fakeClock: true });
  const history = await gotoScreen(page, "history");
  await expectText(history.getByTestId("history-count"), "250,040 events");
  const header = history.locator('[role="columnheader"].hc-amount');
  expect(await header.getAttribute("aria-sort")).toBe("none");
  expect(await history.locator('[role="columnheader"].hc-time').getAttribute("aria-sort")).toBe("descending");

  await header.locator('[data-sort="amount"]').click();
  await expect.poll(() => header.getAttribute("aria-sort")).toBe("descending");
  const largest = (await loadedRows(page)).map(rawAmount);
  expect(largest.length).toBeGreaterThan(10);
  largest.slice(1).forEach((a, k) => expect(a <= largest[k], `row ${k + 1}: ${a} after ${largest[k]}`).toBe(true));
  expect(await history.locator('[role="columnheader"].hc-time').getAttribute("aria-sort")).toBe("none");

  await header.locator('[data-sort="amount"]').click();
  await expect.poll(() => header.getAttribute("aria-sort")).toBe("ascending");
  const smallest = (await loadedRows(page)).map(rawAmount);
  smallest.slice(1).forEach((a, k) => expect(a >= smallest[k], `row ${k + 1}: ${a} after ${smallest[k]}`).toBe(true));
  expect(smallest[0] < largest[largest.length - 1]).toBe(true);
});

test("a column hidden with the column chooser stays hidden after a reload", async () => {
  const { page } = await openApp();
  let history = await gotoScreen(page, "history");
  const headers = () => history.locator('[role="columnheader"]').evaluateAll((els) => els.map((e) => (e.textContent ?? "").trim()));
  await loadedRows(page);
  expect(await headers()).toContain("Listener");

  await history.getByTestId("history-columns").locator("summary").click();
  const box = history.locator('input[name="column"][value="listener"]');
  expect(await box.isChecked()).toBe(true);
  await box.uncheck();
  await expect.poll(headers).not.toContain("Listener");
  expect(await headers()).toContain("Event");
  await loadedRows(page, (rows) => rows.every((r) => !("listener" in r.cells) && "event" in r.cells));

  await page.reload();
  await page.locator("nav .nav-item").first().waitFor();
  history = await gotoScreen(page, "history");
  await loadedRows(page, (rows) => rows.every((r) => !("listener" in r.cells) && "event" in r.cells));
  expect(await headers()).not.toContain("Listener");
  await history.getByTestId("history-columns").locator("summary").click();
  expect(await history.locator('input[name="column"][value="listener"]').isChecked()).toBe(false);
  expect(await history.locator('input[name="column"][value="event"]').isChecked()).toBe(true);
});

test("Export shows its progress, then how many rows went where", async () => {
  const { page } = await openApp({ fakeClock: true });
  const history = await gotoScreen(page, "history");
  await expectText(history.getByTestId("history-count"), "250,040 events");
  const exportButton = history.getByTestId("history-export");
  const progress = history.getByTestId("export-progress");
  const done = history.getByTestId("export-done");
  expect(await progress.isVisible()).toBe(false);

  await exportButton.click();
  await expectText(progress, "Exporting… 0 of 250,040 rows");
  expect(await progress.isVisible()).toBe(true);
  expect(await exportButton.isDisabled()).toBe(true);
  await page.clock.runFor(100); // the mock writes 10,000 rows every 30 ms
  await expectText(progress, /^Exporting… [1-9]\d{0,2},000 of 250,040 rows$/);
  expect(Number(await progress.getAttribute("data-written"))).toBeLessThan(250_040);

  await page.clock.runFor(1000);
  await expectText(done, "Exported 250,040 rows to /home/you/tokenwatch-history.csv");
  expect(await progress.isVisible()).toBe(false);
  expect(await exportButton.isDisabled()).toBe(false);
});

test("Export writes the rows of the filter in use", async () => {
  const { page } = await openApp({ fakeClock: true });
  const history = await gotoScreen(page, "history");
  const count = history.getByTestId("history-count");
  await history.locator('input[name="listener"]').fill("base-usdc");
  await history.getByTestId("history-apply").click();
  await expect.poll(() => countOf(count)).toBeLessThan(SYNTHETIC);
  const n = ((await count.textContent()) ?? "").replace(/ events$/, "");

  await history.getByTestId("history-export").click();
  await page.clock.runFor(1000);
  await expectText(history.getByTestId("export-done"), `Exported ${n} rows to /home/you/tokenwatch-history.csv`);
});

test("the contract filter takes a symbol, and a symbol two contracts share is refused naming them", async () => {
  const { page } = await openApp({ fakeClock: true });
  const history = await gotoScreen(page, "history");
  const count = history.getByTestId("history-count");
  await expectText(count, "250,040 events");
  const problem = history.getByTestId("history-filter-error");

  await history.locator('input[name="contract"]').fill("usdc");
  await history.getByTestId("history-apply").click();
  await expectText(
    problem,
    /^Invalid filter: contract: the symbol "usdc" names 2 contracts \(0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48, 0x833589fcd6edb6e08f4c7c32d4f71b54bda02913\); type the one you mean$/,
  );
  expect(await history.locator('input[name="contract"]').getAttribute("aria-invalid")).toBe("true");

  await history.locator('input[name="network"]').fill("Base");
  await history.getByTestId("history-apply").click();
  await expect.poll(() => problem.isVisible()).toBe(false);
  await expect.poll(() => countOf(count)).toBeLessThan(SYNTHETIC);
  const rows = await loadedRows(page);
  const base = "0x833589fcd6edb6e08f4c7c32d4f71b54bda02913";
  for (const r of rows) expect(`${r.cells.contract.text} ${r.cells.contract.title}`.toLowerCase()).toContain(base);
});

test("the contract filter suggests the token symbols of the rows seen, as the name filters suggest names", async () => {
  const { page } = await openApp({ fakeClock: true });
  const history = await gotoScreen(page, "history");
  await expectText(history.getByTestId("history-count"), "250,040 events");
  const offered = (list: string) => history.locator(`datalist#${list} option`).evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  expect(await history.locator('input[name="contract"]').getAttribute("list")).toBe("history-contracts");
  await expect.poll(async () => (await offered("history-contracts")).sort()).toEqual(["USDC", "WETH"]);
  expect(await offered("history-networks")).toContain("mainnet");
  expect(await offered("history-events")).toContain("Transfer");
});

test("listener, event and network filters match in any case", async () => {
  const { page } = await openApp({ fakeClock: true });
  const history = await gotoScreen(page, "history");
  const count = history.getByTestId("history-count");
  await expectText(count, "250,040 events");
  await history.locator('input[name="listener"]').fill("weth-approvals");
  await history.getByTestId("history-apply").click();
  await expect.poll(() => countOf(count)).toBeLessThan(SYNTHETIC);
  const exact = await countOf(count);

  await history.locator('input[name="listener"]').fill("WETH-Approvals");
  await history.locator('input[name="event"]').fill("approval");
  await history.locator('input[name="network"]').fill("MAINNET");
  await history.getByTestId("history-apply").click();
  await expect.poll(() => history.getByTestId("history-filter-error").isVisible()).toBe(false);
  await expect.poll(() => countOf(count)).toBe(exact);
  const rows = await loadedRows(page);
  expect(rows.every((r) => r.listener === "weth-approvals")).toBe(true);
});

test("direction keeps the events where the address is the sender, or the receiver", async () => {
  const { page } = await openApp({ fakeClock: true });
  const history = await gotoScreen(page, "history");
  const count = history.getByTestId("history-count");
  await expectText(count, "250,040 events");
  const args = (await loadedRows(page))[0].cells.args.title;
  const address = /0x[0-9a-f]{40}/.exec(args)?.[0] ?? "";
  await history.locator('input[name="address"]').fill(address);
  await history.getByTestId("history-apply").click();
  await expect.poll(() => countOf(count)).toBeLessThan(SYNTHETIC);
  const any = await countOf(count);

  // The first and second addresses of the arguments (from and to, owner and spender).
  const side = (r: ShownRow, k: number): string => (r.cells.args.title.toLowerCase().match(/0x[0-9a-f]{40}/g) ?? [])[k] ?? "";
  for (const [direction, k] of [["from", 0], ["to", 1]] as const) {
    await history.locator('select[name="direction"]').selectOption(direction);
    await history.getByTestId("history-apply").click();
    await expect.poll(() => countOf(count)).toBeLessThan(any);
    expect(await countOf(count)).toBeGreaterThan(0);
    await loadedRows(page, (rows) => rows.every((r) => side(r, k) === address));
  }
});

test("an amount range is typed in token units", async () => {
  const { page } = await openApp({ fakeClock: true });
  const history = await gotoScreen(page, "history");
  const count = history.getByTestId("history-count");
  await expectText(count, "250,040 events");
  expect(await history.getByText("Amount in token units (unknown decimals left out)").isVisible()).toBe(true);
  await history.locator('input[name="minAmount"]').fill("1,000");
  await history.locator('input[name="maxAmount"]').fill("2,500.5");
  await history.getByTestId("history-apply").click();
  await expect.poll(() => countOf(count)).toBeLessThan(SYNTHETIC);
  expect(await countOf(count)).toBeGreaterThan(0);
  const rows = await loadedRows(page);
  for (const r of rows) {
    const units = Number(/^[\d,.]+/.exec(r.cells.amount.text)?.[0].replace(/,/g, ""));
    expect(units, r.cells.amount.text).toBeGreaterThanOrEqual(1000);
    expect(units, r.cells.amount.text).toBeLessThanOrEqual(2500.5);
  }

  await history.locator('input[name="maxAmount"]').fill("999");
  await history.getByTestId("history-apply").click();
  await expectText(history.getByTestId("history-filter-error"), "Maximum amount is below Minimum amount.");
});

test("a saved filter is applied when picked, stays after a reload and can be deleted", async () => {
  const { page } = await openApp({ fakeClock: true });
  let history = await gotoScreen(page, "history");
  const count = history.getByTestId("history-count");
  await expectText(count, "250,040 events");
  await history.locator('input[name="listener"]').fill("weth-approvals");
  await history.getByTestId("history-apply").click();
  await expect.poll(() => countOf(count)).toBeLessThan(SYNTHETIC);
  const approvals = await countOf(count);
  await history.getByTestId("history-save-name").fill("Approvals");
  await history.getByTestId("history-save").click();
  await expectText(history.getByTestId("history-saved-message"), "Saved “Approvals”.");

  await history.getByTestId("history-clear").click();
  await expectText(count, "250,040 events");
  await page.reload();
  await page.locator("nav .nav-item").first().waitFor();
  history = await gotoScreen(page, "history");
  await expectText(history.getByTestId("history-count"), "250,040 events");
  await history.getByTestId("history-saved").selectOption("Approvals");
  // About the same count: the mock's history moves with the clock across the reload.
  await expect.poll(() => countOf(history.getByTestId("history-count"))).toBeLessThan(SYNTHETIC);
  expect(Math.abs((await countOf(history.getByTestId("history-count"))) - approvals)).toBeLessThan(100);
  expect(await history.locator('input[name="listener"]').inputValue()).toBe("weth-approvals");
  await loadedRows(page, (rows) => rows.every((r) => r.listener === "weth-approvals"));

  await history.getByTestId("history-saved-delete").click();
  await expectText(history.getByTestId("history-saved-message"), "Deleted “Approvals”.");
  const options = await history.getByTestId("history-saved").locator("option").allTextContents();
  expect(options).toEqual(["No saved filters"]);
});

test("Export writes the rows in the table's order", async () => {
  const { page } = await openApp({ fakeClock: true });
  const history = await gotoScreen(page, "history");
  await expectText(history.getByTestId("history-count"), "250,040 events");
  const header = history.locator('[role="columnheader"].hc-amount');
  await header.locator('[data-sort="amount"]').click();
  await expect.poll(() => header.getAttribute("aria-sort")).toBe("descending");
  const first = (await loadedRows(page))[0];

  await history.getByTestId("history-export").click();
  await page.clock.runFor(1000);
  await expectText(history.getByTestId("export-done"), "Exported 250,040 rows to /home/you/tokenwatch-history.csv");
  const written = await page.evaluate(() => (globalThis as { __tokenwatchMockExport?: unknown }).__tokenwatchMockExport);
  expect(written).toEqual({ sort: "amountDesc", firstId: first.id });
});
