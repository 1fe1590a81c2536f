// The live feed and the event detail in the app's first window (1200 × 800): names shown
// whole, older times with their date, tokens by symbol, explorer links kept on one line.
import { expect, test } from "vitest";
import type { Page } from "playwright-core";
import { APP_WINDOW, expectCount, gotoScreen, openApp } from "./harness";
import type { StoredEvent } from "../../ui/src/bindings/StoredEvent";

const DAY = 86_400;
const STATUS = {
  running: true,
  error: null,
  networks: [],
  listeners: [],
  targets: [],
  eventsStored: 3,
  warnings: [],
  database: "/tmp/tokenwatch.db",
};

function stored(over: Partial<StoredEvent>): StoredEvent {
  return {
    id: 1,
    network: "Local anvil",
    chainId: 31337,
    blockNumber: 158,
    blockHash: `0x${"ab".repeat(32)}`,
    blockTime: Math.floor(Date.now() / 1000),
    txHash: `0x${"cd".repeat(32)}`,
    logIndex: 0,
    contract: "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48",
    event: "Transfer",
    signature: "Transfer(address,address,uint256)",
    listener: "usdc",
    status: "confirmed",
    args: { from: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8", to: "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc", value: "1299900000" },
    argNames: ["from", "to", "value"],
    decimals: 6,
    symbol: "DUSD",
    listeners: [over.listener ?? "usdc"],
    ...over,
  };
}

/** Each feed row's cells by class: text and whether it is cut off. */
async function feedCells(page: Page): Promise<Record<string, { text: string; cut: boolean }>[]> {
  return page.getByTestId("feed-row").evaluateAll((rows) =>
    rows.map((r) =>
      Object.fromEntries(
        [...r.querySelectorAll<HTMLElement>("td")].map((c) => [
          c.classList[0] ?? "?",
          { text: (c.textContent ?? "").trim(), cut: c.scrollWidth > c.clientWidth },
        ]),
      ),
    ),
  );
}

test("the feed shows whole listener and event names, the date of older events and tokens by symbol", async () => {
  const now = Math.floor(Date.now() / 1000);
  const events = [
    stored({ id: 3, event: "TransferByPartition", listener: "security-token-watch", symbol: "DBOND", blockTime: now - 3 * DAY }),
    stored({ id: 2, event: "RecoverySuccess", listener: "frozen wallets (ops)", symbol: null, blockTime: now - 400 * DAY }),
    stored({ id: 1, event: "AddressFrozen", listener: "DemoUSD transfers", blockTime: now - 60 }),
  ];
  const { page } = await openApp({
    viewport: APP_WINDOW,
    tauri: { engine_status: { value: STATUS }, recent_events: { value: events } },
  });
  await gotoScreen(page, "feed");
  await expectCount(page.getByTestId("feed-row"), 3);
  const [bond, frozen, usd] = await feedCells(page);

  expect([bond.listener.text, bond.event.text]).toEqual(["security-token-watch", "TransferByPartition"]);
  expect([frozen.listener.text, frozen.event.text]).toEqual(["frozen wallets (ops)", "RecoverySuccess"]);
  for (const row of [bond, frozen, usd]) {
    for (const cls of ["time", "event", "listener", "contract", "block"]) {
      expect(row[cls].cut, `${cls} cut off: ${row[cls].text}`).toBe(false);
    }
  }
  // Older than today: the date with the time; older than this year: the year too.
  expect(bond.time.text).toMatch(/^\d{1,2} [A-Z][a-z]{2}( \d{4})? \d{2}:\d{2}$/);
  expect(frozen.time.text).toMatch(/^\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}$/);
  expect(usd.time.text).toMatch(/^(\d{2}:\d{2}:\d{2}|\d{1,2} [A-Z][a-z]{2} \d{2}:\d{2})$/);
  // The token by its symbol, as History shows it; the address alone when none is known.
  expect(bond.contract.text).toBe("DBOND 0xa0b8…eb48");
  expect(frozen.contract.text).toBe("0xa0b8…eb48");
});

test("the detail's explorer links stay whole on one line", async () => {
  const { page } = await openApp({ fakeClock: true, viewport: APP_WINDOW });
  await gotoScreen(page, "feed");
  await page.getByTestId("feed-row").first().click();
  const detail = page.getByTestId("event-detail");
  await detail.waitFor({ state: "visible" });
  const links = detail.locator("a.explorer");
  await expect.poll(() => links.count()).toBeGreaterThan(3); // addresses, contract, block, transaction
  const shapes = await links.evaluateAll((as) => as.map((a) => ({ text: a.textContent, lines: a.getClientRects().length })));
  for (const s of shapes) expect(s).toEqual({ text: "Explorer", lines: 1 });
});
