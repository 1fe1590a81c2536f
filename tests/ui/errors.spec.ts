// Error banners, with the window run against a scripted Tauri IPC whose commands can fail.
import { expect, test } from "vitest";
import { emitFakeEvent, fakeCalls, setFakeAnswer } from "./fake-tauri";
import { expectCount, expectText, gotoScreen, openApp } from "./harness";

/** A minimal healthy engine status. */
const STATUS = {
  running: true,
  error: null,
  networks: [],
  listeners: [],
  targets: [] as object[],
  eventsStored: 0,
  warnings: [],
  database: "/tmp/tokenwatch.db",
};

test("a status that cannot be read shows a banner in plain words until a status arrives", async () => {
  const message = "The engine could not open its database.";
  const { page } = await openApp({
    fakeClock: true,
    tauri: { engine_status: { error: { code: "db.unavailable", message } }, recent_events: { value: [] } },
  });
  const banner = page.locator('[data-testid="error-banner"][data-source="engine_status"]');
  await expectText(banner.locator(".banner-message"), message);
  await expectText(page.getByTestId("engine-status"), "Problem");
  expect(await banner.locator("code").isVisible()).toBe(false); // the code is behind Details
  await banner.getByText("Details").click();
  await expectText(banner.locator("code"), "engine_status: db.unavailable");

  await emitFakeEvent(page, "engine-status", STATUS);
  await expectCount(banner, 0);
  await expectText(page.getByTestId("engine-status"), "Running");
});

test("a failed Redeliver shows a dismissable banner; a later success clears it", async () => {
  const message = "The delivery queue is not available.";
  const target = { target: "webhook:ops", queued: 0, parked: 3, lastError: null, lastOkMs: null };
  const { page } = await openApp({
    fakeClock: true,
    tauri: {
      engine_status: { value: { ...STATUS, targets: [target] } },
      recent_events: { value: [] },
      redeliver: { error: { code: "db.stopped", message } },
    },
  });
  const deliveries = await gotoScreen(page, "deliveries");
  const redeliver = deliveries.getByTestId("target-redeliver");
  const banner = page.locator('[data-testid="error-banner"][data-source="redeliver"]');

  await redeliver.click();
  await expectText(banner.locator(".banner-message"), message);
  await banner.getByTitle("Dismiss").click();
  await expectCount(banner, 0);

  await redeliver.click();
  await expectCount(banner, 1);
  await setFakeAnswer(page, "redeliver", { value: 3 });
  await redeliver.click();
  await expectCount(banner, 0);
});

test("an Explorer link asks the app to open the browser; the window stays, a failure is said in words", async () => {
  const tx = `0x${"ab".repeat(32)}`;
  const event = {
    id: 7, network: "mainnet", chainId: 1, blockNumber: 19000000, blockHash: `0x${"cd".repeat(32)}`,
    blockTime: 1714564800, txHash: tx, logIndex: 0, contract: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    event: "Transfer", signature: "Transfer(address,address,uint256)", listener: "mine", listeners: ["mine"], status: "confirmed",
    args: { from: "0x70997970C51812dc3A010C3efE8bE8DCAF5A7B8e", to: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", value: "5" },
    argNames: ["from", "to", "value"], decimals: null, symbol: null,
  };
  const message = "no browser opened https://etherscan.io/block/19000000 (xdg-open exit status: 3)";
  const { page } = await openApp({
    fakeClock: true,
    tauri: {
      engine_status: { value: STATUS },
      recent_events: { value: [event] },
      event_full: {
        value: {
          event, argTypes: ["address", "address", "uint256"], topics: [], data: "0x", listeners: ["mine"],
          statusHistory: [], announcements: [], explorer: "https://etherscan.io/",
        },
      },
      open_explorer: { error: { code: "link.failed", message } },
    },
  });
  const url = page.url();
  const feed = await gotoScreen(page, "feed");
  await feed.getByTestId("feed-row").first().click();
  const detail = page.getByTestId("event-detail");
  const link = detail.locator('[data-field="Block"] a.explorer');
  await expectText(link, "Explorer");
  expect(await link.getAttribute("href")).toBe("https://etherscan.io/block/19000000");
  await link.click();
  const banner = page.locator('[data-testid="error-banner"][data-source="open_explorer"]');
  await expectText(banner.locator(".banner-message"), message);
  expect(page.url()).toBe(url);
  expect(await fakeCalls(page)).toContain("open_explorer");
});

test("a configuration file edited outside the window: problems stay as an error, an applied edit is a note that leaves", async () => {
  const view = {
    path: "/tmp/config.toml", networks: [], listeners: [], webhooks: ["ops"], rabbitmq: [],
    notifications: { quiet_hours: null, burst: null, burst_window_s: null },
  };
  const { page } = await openApp({
    fakeClock: true,
    tauri: { engine_status: { value: STATUS }, recent_events: { value: [] }, config_view: { value: view } },
  });
  const error = page.locator('[data-testid="error-banner"][data-source="config_reload"]');
  const note = page.locator('[data-testid="note-banner"][data-source="config_reload"]');
  const problem = "The configuration file was changed but has problems, so the previous configuration keeps running: listeners[0] (\"x\").webhooks[0]: unknown webhook \"opz\"";
  await emitFakeEvent(page, "config-reloaded", { changes: null, message: problem });
  await expectText(error.locator(".banner-message"), problem);

  const calls = (await fakeCalls(page)).filter((c) => c === "config_view").length;
  const applied = "Configuration file reloaded: 1 target added (webhook:ops), 1 listener changed (x).";
  const none = { added: [], changed: [], removed: [] };
  const changes = { networks: none, listeners: { ...none, changed: ["x"] }, targets: { ...none, added: ["webhook:ops"] } };
  await emitFakeEvent(page, "config-reloaded", { changes, message: applied });
  await expectText(note.locator(".banner-message"), applied);
  await expectCount(error, 0);
  // The Networks and Listeners screens read the configuration again.
  await expect.poll(async () => (await fakeCalls(page)).filter((c) => c === "config_view").length).toBeGreaterThan(calls);
  await page.clock.runFor(20_000);
  await expectCount(note, 0);
});
