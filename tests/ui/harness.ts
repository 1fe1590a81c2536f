// Reusable pieces for the browser specs: open the window in a fresh context, switch screens.
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { chromium, type Locator, type Page } from "playwright-core";
import { expect, inject, onTestFinished } from "vitest";
import { installFakeTauri, type FakeAnswers } from "./fake-tauri";

/** The screens, in navigation order (`nav .nav-item[data-screen=…]`, `[data-screen-id=…]`). */
export const SCREENS = ["dashboard", "feed", "history", "tokens", "addresses", "networks", "listeners", "deliveries", "settings"] as const;
export type ScreenId = (typeof SCREENS)[number];

/** The app window's size when it first opens (tauri.conf.json); specs default to a larger page. */
export const APP_WINDOW = { width: 1200, height: 800 } as const;

export interface OpenOptions {
  /** The system color scheme the page sees (default light). */
  colorScheme?: "light" | "dark";
  /**
   * Stops time: the browser mock's one-second tick (and every other timer) then runs only when
   * the spec calls `page.clock.runFor(ms)`, so counts are exact.
   */
  fakeClock?: boolean;
  /** Runs the window as if inside Tauri, answering commands from this table instead of the mock. */
  tauri?: FakeAnswers;
  /** Uncaught errors in the page fail the test unless this is set. */
  allowPageErrors?: boolean;
  /** The page's size (default 1280 × 800); `APP_WINDOW` is the app's first window. */
  viewport?: { width: number; height: number };
}

export interface App {
  page: Page;
  /** Uncaught errors seen in the page so far. */
  pageErrors: string[];
  /** Closes the context; also done automatically when the test ends. */
  close(): Promise<void>;
}

const FAILURES = resolve(import.meta.dirname, "../../build/ui-test-failures");

/** Opens the built window in a fresh browser context (own storage) and waits for the shell. */
export async function openApp(options: OpenOptions = {}): Promise<App> {
  const browser = await chromium.connect(inject("browserWs"));
  const context = await browser.newContext({
    colorScheme: options.colorScheme ?? "light",
    viewport: options.viewport ?? { width: 1280, height: 800 },
  });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (err) => pageErrors.push(err.message));
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await browser.close(); // a connected browser: closes this connection and its context only
  };
  onTestFinished(async ({ task }) => {
    if (task.result?.state === "fail" && !closed) {
      mkdirSync(FAILURES, { recursive: true });
      const name = task.name.replace(/[^\w-]+/g, "_").slice(0, 80);
      await page.screenshot({ path: `${FAILURES}/${name}.png`, fullPage: true, timeout: 5000 }).catch(() => undefined);
    }
    await close();
    if (!options.allowPageErrors && pageErrors.length > 0) {
      throw new Error(`uncaught errors in the page:\n${pageErrors.join("\n")}`);
    }
  });

  if (options.fakeClock) {
    await page.clock.install(); // fake timers, but still running at real speed until paused
    await page.clock.pauseAt(Date.now() + 5000);
  }
  if (options.tauri) await installFakeTauri(page, options.tauri);
  await page.goto(inject("appUrl"));
  await page.locator("nav .nav-item").first().waitFor();
  return { page, pageErrors, close };
}

/** The navigation button of a screen. */
export function navButton(page: Page, id: ScreenId): Locator {
  return page.locator(`nav .nav-item[data-screen="${id}"]`);
}

/** The element of a screen. */
export function screen(page: Page, id: ScreenId): Locator {
  return page.locator(`[data-screen-id="${id}"]`);
}

/** Clicks a screen's navigation button and waits until that screen is shown. */
export async function gotoScreen(page: Page, id: ScreenId): Promise<Locator> {
  await navButton(page, id).click();
  await screen(page, id).waitFor({ state: "visible" });
  return screen(page, id);
}

/** Polls a locator's text until it matches (a string: exactly, after trimming). */
export async function expectText(locator: Locator, want: string | RegExp): Promise<void> {
  const got = expect.poll(async () => ((await locator.textContent()) ?? "").trim());
  await (typeof want === "string" ? got.toBe(want) : got.toMatch(want));
}

/** Polls how many elements a locator matches. */
export async function expectCount(locator: Locator, want: number): Promise<void> {
  await expect.poll(() => locator.count()).toBe(want);
}
