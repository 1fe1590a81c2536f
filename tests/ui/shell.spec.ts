// The window's shell: header status, navigation between the seven screens.
import { expect, test } from "vitest";
import { SCREENS, expectText, gotoScreen, navButton, openApp, screen } from "./harness";

test("starts on the dashboard with the engine running and the stored events counted", async () => {
  const { page } = await openApp({ fakeClock: true });
  await expect.poll(() => screen(page, "dashboard").isVisible()).toBe(true);
  expect(await navButton(page, "dashboard").getAttribute("aria-current")).toBe("page");
  await expectText(page.getByTestId("engine-status"), "Running");
  await expectText(page.getByTestId("events-stored"), "40"); // the mock's history
});

test("each navigation button shows its screen only and marks itself current", async () => {
  const { page } = await openApp({ fakeClock: true });
  expect(await page.locator("nav .nav-item").count()).toBe(SCREENS.length);
  for (const id of [...SCREENS].reverse()) {
    await gotoScreen(page, id);
    // One round trip per screen: which screens are visible, which buttons say what.
    const state = await page.evaluate(() => ({
      visible: [...document.querySelectorAll<HTMLElement>("[data-screen-id]")]
        .filter((el) => el.checkVisibility())
        .map((el) => el.dataset.screenId),
      current: [...document.querySelectorAll<HTMLElement>("nav .nav-item")].map(
        (b) => `${b.dataset.screen}=${b.getAttribute("aria-current")}`,
      ),
    }));
    expect(state.visible, `visible after clicking ${id}`).toEqual([id]);
    expect(state.current).toEqual(SCREENS.map((s) => `${s}=${s === id ? "page" : "false"}`));
  }
});
