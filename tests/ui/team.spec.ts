// The Networks screen's Team section: a subscription's state and a publishing stream in words,
// chain- and broker-given names shown as text.
import { expect, test } from "vitest";
import { emitFakeEvent } from "./fake-tauri";
import { expectCount, expectText, gotoScreen, openApp } from "./harness";

const SUB = {
  name: "desk",
  stream: "tw.events",
  connected: true,
  caughtUp: false,
  messages: 1500,
  skipped: 0,
  nextOffset: 1500,
  lacking: null,
  networks: ["<img src=x onerror=alert(1)>"],
  error: null,
};

const STATUS = {
  running: true,
  error: null,
  networks: [],
  listeners: [],
  targets: [] as object[],
  streams: [] as object[],
  subscriptions: [SUB],
  eventsStored: 1500,
  warnings: [],
  database: "/tmp/tokenwatch.db",
};

const CONFIG = { path: "/tmp/config.toml", networks: [], listeners: [], webhooks: [], rabbitmq: [], notifications: {} };

test("a desktop that only subscribes shows its subscription instead of 'No networks yet'", async () => {
  const { page } = await openApp({
    tauri: {
      engine_status: { value: STATUS },
      recent_events: { value: [] },
      config_view: { value: CONFIG },
      target_list: { value: [] },
    },
  });
  const networks = await gotoScreen(page, "networks");
  const cards = networks.getByTestId("team-card");
  await expectCount(cards, 1);
  const card = cards.first(); // subscriptions come first
  await expectText(card.locator(".card-title"), "Subscription “desk” to stream “tw.events”");
  const lines = card.locator(".team-lines li");
  await expectText(lines.nth(0), "Catching up with the stream…");
  await expectText(lines.nth(2), "Brings network <img src=x onerror=alert(1)> (no RPC needed here).");
  expect(await card.locator("img").count()).toBe(0); // text, never markup
  expect(await networks.locator(".empty").isVisible()).toBe(false);

  await emitFakeEvent(page, "engine-status", {
    ...STATUS,
    subscriptions: [{ ...SUB, caughtUp: true, error: "broker: connection refused" }],
    streams: [{ name: "team", stream: "tw.events", published: 20, behind: 0, lastError: null, lastOkMs: 1 }],
  });
  await expectCount(networks.getByTestId("team-card"), 2);
  await expectText(lines.nth(0), "Not reading.");
  expect(await card.getAttribute("data-state")).toBe("problem");
  await expectText(networks.getByTestId("team-card").nth(1).locator(".card-title"), "Publishing to stream “tw.events” (team)");
});
