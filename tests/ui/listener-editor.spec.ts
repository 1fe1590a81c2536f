// The listener editor's layout in the app's first window (1200 × 800): a focused field stays
// above the sticky Save bar, the condition builder says what it needs, the pasted-ABI box
// opens below its buttons, and placeholders never look typed (light and dark).
import { expect, test } from "vitest";
import type { Locator } from "playwright-core";
import { APP_WINDOW, expectText, gotoScreen, openApp } from "./harness";

async function openEditor(colorScheme: "light" | "dark" = "light"): Promise<Locator> {
  const { page } = await openApp({ viewport: APP_WINDOW, colorScheme });
  const listeners = await gotoScreen(page, "listeners");
  await listeners.getByTestId("listener-add").click();
  const form = listeners.getByTestId("listener-form");
  await form.waitFor();
  return form;
}

test("a field focused near the bottom of the editor shows above the sticky Save bar", async () => {
  const form = await openEditor();
  const page = form.page();
  const bar = form.locator(".editor-actions");
  for (const name of ["from_block", "notify", "announce_history"]) {
    // Scrolled so that the field is inside the window but under the bar, as tabbing down leaves it.
    await page.locator(".screens").evaluate((el, n) => {
      const field = el.querySelector(`[name="${n}"]`)?.getBoundingClientRect();
      el.scrollTop += (field?.bottom ?? 0) - (el.getBoundingClientRect().bottom - 12);
    }, name);
    await form.locator(`[name="${name}"]`).focus();
    const field = await form.locator(`[name="${name}"]`).boundingBox();
    const top = (await bar.boundingBox())?.y ?? 0;
    expect(field, name).not.toBeNull();
    expect((field?.y ?? 0) + (field?.height ?? 0), `${name} ends above the Save bar at ${top}`).toBeLessThanOrEqual(top);
  }
});

test("with no event ticked the condition builder says to tick one; with one it offers its values", async () => {
  const form = await openEditor();
  const fieldSelect = form.getByTestId("cond-field");
  const opSelect = form.getByTestId("cond-op");
  const shown = (s: Locator) => s.evaluate((el: HTMLSelectElement) => el.selectedOptions[0]?.textContent ?? "");
  expect(await shown(fieldSelect)).toBe("Tick an event above first");
  expect(await shown(opSelect)).not.toBe("");
  expect(await fieldSelect.isDisabled()).toBe(true);
  expect(await opSelect.isDisabled()).toBe(true);
  expect(await form.getByTestId("condition-add").isDisabled()).toBe(true);

  await form.locator('input[data-event="erc20:Transfer"]').check();
  await expect.poll(() => shown(fieldSelect)).toBe("from (address)");
  expect(await fieldSelect.isDisabled()).toBe(false);
  expect(await shown(opSelect)).toMatch(/\(==\)$/);

  await form.locator('input[data-event="erc20:Transfer"]').uncheck();
  await expect.poll(() => shown(fieldSelect)).toBe("Tick an event above first");
  expect(await opSelect.isDisabled()).toBe(true);
});

test("the pasted-ABI box opens below Import ABI file… instead of beside it", async () => {
  const form = await openEditor();
  const importButton = form.getByTestId("abi-import");
  // Measured against the form: opening the box may scroll the editor.
  const within = async (l: typeof importButton) => {
    const [b, f] = [await l.boundingBox(), await form.boundingBox()];
    return b && f ? { ...b, y: b.y - f.y } : null;
  };
  const before = await within(importButton);
  await form.getByText("Paste ABI").click();
  const box = form.locator('textarea[name="abi_text"]');
  await box.waitFor({ state: "visible" });
  const after = await within(importButton);
  const text = await within(box);
  expect(after?.y, "the button stays where it was").toBeCloseTo(before?.y ?? -1, 0);
  expect(text?.y ?? 0, "the box starts below the button").toBeGreaterThanOrEqual((after?.y ?? 0) + (after?.height ?? 0));
});

for (const scheme of ["light", "dark"] as const) {
  test(`placeholders are in the quiet help colour, not the typed one (${scheme})`, async () => {
    const form = await openEditor(scheme);
    const help = await form.locator(".help").first().evaluate((el) => getComputedStyle(el).color);
    for (const name of ["signature", "where", "from_block"]) {
      const input = form.locator(`[name="${name}"]`);
      expect(await input.getAttribute("placeholder"), name).not.toBeNull();
      const colours = await input.evaluate((el) => ({
        typed: getComputedStyle(el).color,
        placeholder: getComputedStyle(el, "::placeholder").color,
      }));
      expect(colours.placeholder, name).toBe(help);
      expect(colours.placeholder, name).not.toBe(colours.typed);
    }
    await expectText(form.locator(".editor-title"), "Add a listener");
  });
}
