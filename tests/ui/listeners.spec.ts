// The Listeners screen: the guided editor (network, contracts, event picker, conditions checked as
// you type, condition builder), and the rows' Pause/Resume, Duplicate and Delete.
import { expect, test } from "vitest";
import type { Locator, Page } from "playwright-core";
import { expectCount, expectText, gotoScreen, openApp } from "./harness";

const USDC = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48";
const BASE_USDC = "0x833589fcd6edb6e08f4c7c32d4f71b54bda02913";

function row(page: Page, name: string): Locator {
  return page.locator(`[data-testid="listener-row"][data-listener="${name}"]`);
}

async function rowNames(page: Page): Promise<string[]> {
  return page.getByTestId("listener-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-listener") ?? ""));
}

/** The messages shown under one section of the editor (`data-field`). */
function sectionErrors(form: Locator, section: string): Locator {
  return form.locator(`[data-field="${section}"] .field-errors li`);
}

test("a new listener: contracts, an ERC-20 event, a condition checked as typed and one built, then saved", async () => {
  const { page } = await openApp();
  const listeners = await gotoScreen(page, "listeners");
  await expect.poll(() => rowNames(page)).toEqual(["usdc-transfers", "weth-approvals", "base-usdc"]);

  await listeners.getByTestId("listener-add").click();
  const form = listeners.getByTestId("listener-form");
  await expectText(form.locator(".editor-title"), "Add a listener");
  const save = form.getByTestId("listener-save");
  expect(await save.isDisabled()).toBe(true); // nothing filled in yet
  await expectText(form.locator(".save-state"), /^Still to fill in: Name, .*Events/);

  await form.locator('[name="name"]').fill("big-transfers");
  const network = form.locator('select[name="network"]');
  expect(await network.locator("option").allTextContents()).toEqual(["mainnet (chain 1)", "base (chain 8453)"]);
  await network.selectOption("base");

  // The ERC-20 pack is open for a new listener; its events list the values they carry.
  const transfer = form.locator('.event-item', { has: page.locator('input[data-event="erc20:Transfer"]') });
  expect(await transfer.isVisible()).toBe(true);
  expect(await transfer.locator(".param").evaluateAll((ps) => ps.map((p) => p.firstChild?.textContent))).toEqual(["from", "to", "value"]);
  await expectText(transfer.locator(".param").nth(2).locator(".param-ty"), "uint256");
  await transfer.locator("input").check();
  expect(await form.locator('input[data-pack="erc20"]').evaluate((el) => (el as HTMLInputElement).indeterminate)).toBe(true);

  // Only some contracts, one of them mistyped: the problem names its line, Save stays off.
  await form.locator('input[name="scope"][value="contracts"]').check();
  const contracts = form.locator('textarea[name="contracts"]');
  expect(await contracts.isVisible()).toBe(true);
  await contracts.fill(`${BASE_USDC}\n0x1234`);
  await expectText(sectionErrors(form, "contracts"), 'Line 2: "0x1234" is not an address: it has 4 hex digits instead of 40');
  expect(await contracts.getAttribute("aria-invalid")).not.toBeNull();
  await expectText(form.getByTestId("listener-problems"), /Contracts: Line 2: "0x1234" is not an address/);
  expect(await save.isDisabled()).toBe(true);

  await contracts.fill(`${BASE_USDC}\n${USDC}`);
  await expectCount(sectionErrors(form, "contracts"), 0);
  await expect.poll(() => save.isDisabled()).toBe(false);

  // A condition on a value Transfer does not have: the engine's check shows next to the field.
  const where = form.locator('textarea[name="where"]');
  await where.fill("value > 5 and\n    amount >= 1000");
  await expectText(
    sectionErrors(form, "where"),
    /^for event Transfer\(address indexed from, address indexed to, uint256 value\): unknown field "amount"; known: from, to, value/,
  );
  // The quoted line keeps its line break and indent, and the caret stands under "amount".
  const snippet = sectionErrors(form, "where").locator("pre.snippet");
  expect(await snippet.textContent()).toBe("      amount >= 1000\n      ^^^^^^");
  const [word, marks] = await snippet.evaluate((pre) => {
    const text = pre.firstChild as Text;
    const at = (from: number, to: number) => {
      const r = document.createRange();
      r.setStart(text, from);
      r.setEnd(text, to);
      const box = r.getBoundingClientRect();
      return [Math.round(box.left), Math.round(box.right)];
    };
    const source = text.data.indexOf("amount");
    const caret = text.data.indexOf("^");
    return [at(source, source + 6), at(caret, caret + 6)];
  });
  expect(marks).toEqual(word);
  expect(await form.getByTestId("listener-problems").textContent()).not.toContain("^");
  expect(await where.getAttribute("aria-invalid")).not.toBeNull();
  expect(await save.isDisabled()).toBe(true);
  await where.fill("value > 5");
  await expectCount(sectionErrors(form, "where"), 0);
  await expect.poll(() => save.isDisabled()).toBe(false);

  // The builder offers the chosen event's values and appends a clause with "and".
  const fieldSelect = form.getByTestId("cond-field");
  expect(await fieldSelect.locator("option").allTextContents()).toEqual(["from (address)", "to (address)", "value (uint256)"]);
  await fieldSelect.selectOption({ label: "to (address)" });
  expect(await form.getByTestId("cond-op").locator("option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual([
    "==", "!=", "in", "not in",
  ]);
  await form.getByTestId("cond-op").selectOption("!=");
  await form.locator('input[name="cond_value"]').fill("0x0000000000000000000000000000000000000000");
  await form.getByTestId("condition-add").click();
  expect(await where.inputValue()).toBe("value > 5 and to != 0x0000000000000000000000000000000000000000");
  expect(await form.locator('input[name="cond_value"]').inputValue()).toBe("");
  await expect.poll(() => save.isDisabled()).toBe(false);

  await save.click();
  await form.waitFor({ state: "detached" });
  await expect.poll(() => rowNames(page)).toEqual(["usdc-transfers", "weth-approvals", "base-usdc", "big-transfers"]);
  const added = row(page, "big-transfers");
  await expectText(added.locator(".listener-about"), "Transfer on 2 contracts · when value > 5 and to != 0x0000000000000000000000000000000000000000 · pop-ups");
  await expectText(added.locator(".listener-line").nth(1).locator(".muted").first(), "base");

  // Opening it again shows what was saved.
  await added.getByTestId("listener-edit").click();
  const again = listeners.getByTestId("listener-form");
  await expectText(again.locator(".editor-title"), "Edit listener big-transfers");
  expect(await again.locator('select[name="network"]').inputValue()).toBe("base");
  expect(await again.locator('textarea[name="contracts"]').inputValue()).toBe(`${BASE_USDC}\n${USDC}`);
  expect(await again.locator('input[data-event="erc20:Transfer"]').isChecked()).toBe(true);
  expect(await again.locator('input[data-event="erc20:Approval"]').isChecked()).toBe(false);
  await again.getByTestId("listener-cancel").click();
  await again.waitFor({ state: "detached" });
});

test("the builder writes a value only one ticked event has as that event's clause, and it saves", async () => {
  const { page } = await openApp();
  const listeners = await gotoScreen(page, "listeners");
  await listeners.getByTestId("listener-add").click();
  const form = listeners.getByTestId("listener-form");
  await form.locator('[name="name"]').fill("approvals-by-me");
  await form.locator('input[name="scope"][value="network"]').check();
  await form.locator('input[data-event="erc20:Transfer"]').check();
  await form.locator('input[data-event="erc20:Approval"]').check();

  const fieldSelect = form.getByTestId("cond-field");
  expect(await fieldSelect.locator("option").allTextContents()).toEqual([
    "from (address) · only Transfer", "to (address) · only Transfer", "value (uint256)",
    "owner (address) · only Approval", "spender (address) · only Approval",
  ]);
  await fieldSelect.selectOption({ label: "owner (address) · only Approval" });
  await form.locator('input[name="cond_value"]').fill(USDC);
  await form.getByTestId("condition-add").click();
  const where = form.locator('textarea[name="where"]');
  expect(await where.inputValue()).toBe(`Approval(owner == ${USDC})`);
  const save = form.getByTestId("listener-save");
  await expect.poll(() => save.isDisabled()).toBe(false);
  await expectCount(sectionErrors(form, "where"), 0);
  await save.click();
  await form.waitFor({ state: "detached" });
  await expectText(row(page, "approvals-by-me").locator(".listener-about"), new RegExp(`when Approval\\(owner == ${USDC}\\)`));
});

test("Pause and Resume switch a listener and its button", async () => {
  const { page } = await openApp();
  await gotoScreen(page, "listeners");
  const usdc = row(page, "usdc-transfers");
  const pause = usdc.getByTestId("listener-pause");
  await expectText(usdc.locator(".badge"), "Live");
  await expectText(usdc.getByTestId("listener-position"), /^at block \d+$/); // not "at 158"
  await expectText(pause, "Pause");
  expect(await pause.getAttribute("aria-label")).toBe("Pause usdc-transfers");

  await pause.click();
  await expectText(pause, "Resume");
  await expectText(usdc.locator(".badge"), "Paused");
  expect(await usdc.getAttribute("data-phase")).toBe("paused");
  expect(await pause.getAttribute("aria-label")).toBe("Resume usdc-transfers");
  await expectText(row(page, "weth-approvals").locator(".badge"), "Live"); // only this one

  await pause.click();
  await expectText(pause, "Pause");
  await expectText(usdc.locator(".badge"), "Live");
});

test("Duplicate opens the editor on a copy that saves as a new listener; Delete asks, then removes it", async () => {
  const { page } = await openApp();
  const listeners = await gotoScreen(page, "listeners");
  await row(page, "usdc-transfers").getByTestId("listener-duplicate").click();
  const form = listeners.getByTestId("listener-form");
  await expectText(form.locator(".editor-title"), "Add a listener (copy)");
  expect(await form.locator('[name="name"]').inputValue()).toBe("usdc-transfers copy");
  expect(await form.locator('textarea[name="where"]').inputValue()).toBe("value >= 10000 tokens");
  expect(await form.locator('input[data-event="erc20:Transfer"]').isChecked()).toBe(true);
  expect(await form.locator('input[name="webhooks"][value="ops-hook"]').isChecked()).toBe(true);
  await expect.poll(() => form.getByTestId("listener-save").isDisabled()).toBe(false);

  await form.getByTestId("listener-save").click();
  await form.waitFor({ state: "detached" });
  await expect.poll(() => rowNames(page)).toEqual(["usdc-transfers", "weth-approvals", "base-usdc", "usdc-transfers copy"]);
  const copy = row(page, "usdc-transfers copy");
  await expectText(copy.locator(".listener-about"), "Transfer on 1 contract · when value >= 10000 tokens · pop-ups, ops-hook");

  // A second copy gets the next free name.
  await row(page, "usdc-transfers").getByTestId("listener-duplicate").click();
  expect(await listeners.getByTestId("listener-form").locator('[name="name"]').inputValue()).toBe("usdc-transfers copy 2");
  await listeners.getByTestId("listener-cancel").click();
  await listeners.getByTestId("listener-form").waitFor({ state: "detached" });

  await copy.getByTestId("listener-delete").click();
  const confirm = copy.locator(".confirm");
  await expectText(confirm.locator("span").first(), "Delete usdc-transfers copy? Its stored events stay in History.");
  await page.keyboard.press("Escape"); // Esc cancels
  await expectCount(confirm, 0);
  expect(await rowNames(page)).toContain("usdc-transfers copy");

  await copy.getByTestId("listener-delete").click();
  await copy.getByTestId("confirm-yes").click();
  await expect.poll(() => rowNames(page)).toEqual(["usdc-transfers", "weth-approvals", "base-usdc"]);
});
