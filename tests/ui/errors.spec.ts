// Error banners, with the window run against a scripted Tauri IPC whose commands can fail.
import { expect, test } from "vitest";
import { emitFakeEvent, setFakeAnswer } from "./fake-tauri";
import { expectCount, expectText, gotoScreen, openApp } from "./harness";

/** A minimal healthy engine status. */
const STATUS = {
  running: true,
  error: null,
  networks: [],
  listeners: [],
  targets: [] as object[],
  eventsStored: 0,
  database: "/tmp/tokenwatch.db",
};

test("a status that cannot be read shows a banner in plain words until a status arrives", async () => {
  const message = "The engine could not open its database.";
  const { page } = await openApp({
    fakeClock: true,
    tauri: { engine_status: { error: { kind: "engine", message } }, recent_events: { value: [] } },
  });
  const banner = page.locator('[data-testid="error-banner"][data-source="engine_status"]');
  await expectText(banner.locator(".banner-message"), message);
  await expectText(page.getByTestId("engine-status"), "Problem");
  expect(await banner.locator("code").isVisible()).toBe(false); // the kind is behind Details
  await banner.getByText("Details").click();
  await expectText(banner.locator("code"), "engine_status: engine");

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
      redeliver: { error: { kind: "delivery", message } },
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
