// Makes the app believe it runs inside Tauri, with scripted command answers (results or failures).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import type { AppError } from "../../ui/src/bindings/AppError";

/** What a command resolves with (`value`) or rejects with (`error`, the app's AppError shape). */
export type FakeAnswer = { value: unknown } | { error: AppError };
export type FakeAnswers = Record<string, FakeAnswer>;

const PAGE_SCRIPT = readFileSync(join(import.meta.dirname, "fake-tauri.page.js"), "utf8");

/** Call before navigating: the app then uses its Tauri backend, answered from `answers`. */
export async function installFakeTauri(page: Page, answers: FakeAnswers): Promise<void> {
  const state = JSON.stringify({ answers, calls: [] });
  await page.addInitScript({ content: `window.__tokenwatchFake = ${state};\n${PAGE_SCRIPT}` });
}

/** Changes how `cmd` is answered from now on. */
export async function setFakeAnswer(page: Page, cmd: string, answer: FakeAnswer): Promise<void> {
  await page.evaluate(`window.__tokenwatchFake.answers[${JSON.stringify(cmd)}] = ${JSON.stringify(answer)}`);
}

/** Pushes an engine event (e.g. `engine-status`) to the app's listeners. */
export async function emitFakeEvent(page: Page, event: string, payload: unknown): Promise<void> {
  await page.evaluate(`window.__tokenwatchFake.emit(${JSON.stringify(event)}, ${JSON.stringify(payload)})`);
}

/** The commands the app has invoked so far, in order. */
export async function fakeCalls(page: Page): Promise<string[]> {
  return (await page.evaluate("window.__tokenwatchFake.calls")) as string[];
}
