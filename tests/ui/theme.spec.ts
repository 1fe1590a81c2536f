// The window follows the system color scheme (light or dark).
import { expect, test } from "vitest";
import type { Page } from "playwright-core";
import { openApp } from "./harness";

/** Relative luminance (0 black .. 1 white) of the page background. */
async function backgroundLuminance(page: Page): Promise<number> {
  const css = await page.evaluate("getComputedStyle(document.body).backgroundColor");
  const [r, g, b] = (String(css).match(/[\d.]+/g) ?? []).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

test("light system scheme gives a light window, dark gives a dark one", async () => {
  const light = await openApp({ colorScheme: "light" });
  const lightLum = await backgroundLuminance(light.page);
  await light.close();
  const dark = await openApp({ colorScheme: "dark" });
  const darkLum = await backgroundLuminance(dark.page);
  expect(lightLum).toBeGreaterThan(0.6);
  expect(darkLum).toBeLessThan(0.3);
});
