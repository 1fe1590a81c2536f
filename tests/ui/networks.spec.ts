// The Networks screen: a card per network; the editor (endpoints, connection test, chain id),
// renaming, and removal (asked inline, refused while listeners use the network).
import { expect, test } from "vitest";
import type { Locator, Page } from "playwright-core";
import { expectCount, expectText, gotoScreen, openApp } from "./harness";

function card(page: Page, name: string): Locator {
  return page.locator(`[data-testid="network-card"][data-network="${name}"]`);
}

/** The error messages under the field labelled `label`. */
function fieldErrors(form: Locator, label: string): Locator {
  return form.locator(".field", { has: form.page().getByLabel(label, { exact: true }) }).locator(".field-errors li");
}

async function cardNames(page: Page): Promise<string[]> {
  return page.getByTestId("network-card").evaluateAll((cards) => cards.map((c) => c.getAttribute("data-network") ?? ""));
}

test("a network added through the form is tested, saved and shown as a card", async () => {
  const { page } = await openApp();
  const networks = await gotoScreen(page, "networks");
  await expect.poll(() => cardNames(page)).toEqual(["mainnet", "base"]);

  await networks.getByTestId("network-add").click();
  const form = networks.getByTestId("network-form");
  await expectText(form.locator(".editor-title"), "Add a network");
  expect(await networks.getByTestId("network-add").isVisible()).toBe(false); // the editor replaces the list
  expect(await form.locator('[name="name"]').evaluate((el) => el === document.activeElement)).toBe(true);

  // Saving an empty form says what is missing, field by field.
  await form.getByTestId("network-save").click();
  await expectText(fieldErrors(form, "Name"), "Give the network a name.");
  await expectText(fieldErrors(form, "Endpoints"), "Give at least one endpoint URL.");

  await form.locator('[name="name"]').fill("polygon");
  await expectCount(fieldErrors(form, "Name"), 0); // a fixed field clears as it is typed
  expect(await form.locator('[name="name"]').getAttribute("aria-invalid")).toBeNull();
  await form.locator('[name="rpc"]').fill("https://polygon-rpc.example.com\nhttps://down.example.net\nftp://nope");
  await form.getByTestId("network-test").click();
  await expectText(fieldErrors(form, "Endpoints"), 'Line 3: "ftp://nope" is not a URL starting with https://, http://, wss:// or ws://.');
  expect(await form.getByTestId("network-probe").count()).toBe(0); // nothing tested
  expect(await form.getByTestId("network-test").isEnabled()).toBe(true); // nor being tested

  await form.locator('[name="rpc"]').fill("https://polygon-rpc.example.com\nhttps://down.example.net");
  expect(await fieldErrors(form, "Endpoints").count()).toBe(0); // cleared on typing
  await form.getByTestId("network-test").click();
  const probes = form.getByTestId("network-probe");
  await expectCount(probes, 2);
  await expectText(probes.nth(0).locator(".probe-url"), "https://polygon-rpc.example.com");
  await expectText(probes.nth(0).locator(".probe-detail"), /^chain 137 · block 65,120,00\d · \d+ ms$/);
  expect(await probes.nth(0).getAttribute("class")).toContain("probe-ok");
  await expectText(probes.nth(1).locator(".probe-url"), "https://down.example.net");
  await expectText(probes.nth(1).locator(".probe-detail"), "cannot connect: connection refused");
  expect(await probes.nth(1).getAttribute("class")).toContain("probe-bad");
  expect(await form.locator('[name="chain_id"]').inputValue()).toBe("137"); // filled in from the answers
  await expectText(form.getByTestId("network-test"), "Test connection");

  await form.getByTestId("network-save").click();
  await form.waitFor({ state: "detached" });
  await expect.poll(() => cardNames(page)).toEqual(["mainnet", "base", "polygon"]);
  const polygon = card(page, "polygon");
  await expectText(polygon.locator(".card-title"), "polygon");
  await expectText(polygon.locator(".card-head .muted"), "chain 137");
  // The engine has not reported on it yet, and no listener watches it: nothing to sync.
  await expectText(polygon.locator(".card-error"), /^Not started yet/);
  await expectText(polygon.locator(".stat-cell").nth(1).locator("dd"), "nothing to sync");
  await expectText(polygon.locator(".stat-cell").nth(2).locator("dd"), "no listeners yet");
  await expectText(card(page, "mainnet").locator(".stat-cell").nth(2).locator("dd"), /in sync|behind/);
  expect(await networks.getByTestId("network-add").evaluate((el) => el === document.activeElement)).toBe(true);
});

test("a chain id that the endpoints contradict is refused", async () => {
  const { page } = await openApp();
  const networks = await gotoScreen(page, "networks");
  await networks.getByTestId("network-add").click();
  const form = networks.getByTestId("network-form");
  await form.locator('[name="name"]').fill("arbitrum");
  await form.locator('[name="rpc"]').fill("https://arb1.example.com");
  await form.locator('[name="chain_id"]').fill("1");
  await form.getByTestId("network-test").click();
  await expectText(fieldErrors(form, "Chain ID"), "The endpoints are on chain 42161, not 1. Check the URLs or the chain ID.");
  await form.getByTestId("network-save").click();
  expect(await form.locator('[name="chain_id"]').getAttribute("aria-invalid")).not.toBeNull();
  expect(await form.isVisible()).toBe(true); // not saved

  await form.getByTestId("network-cancel").click();
  await form.waitFor({ state: "detached" });
  expect(await cardNames(page)).toEqual(["mainnet", "base"]);
});

test("Save without Test connection asks the endpoints: another chain is refused, no answer saves with a note", async () => {
  const { page } = await openApp();
  const networks = await gotoScreen(page, "networks");
  await networks.getByTestId("network-add").click();
  const form = networks.getByTestId("network-form");
  await form.locator('[name="name"]').fill("arbitrum");
  await form.locator('[name="rpc"]').fill("https://arb1.example.com");
  await form.locator('[name="chain_id"]').fill("5");
  await form.getByTestId("network-save").click();
  const refused = "The endpoint https://arb1.example.com answers chain id 42161, not 5: check the endpoint URL or the chain id.";
  await expectText(fieldErrors(form, "Chain ID"), refused);
  await expectText(form.getByTestId("network-error"), new RegExp(`The network was not saved.*${refused.replace(/[.:]/g, "\\$&")}`));
  expect(await form.isVisible()).toBe(true);

  await form.locator('[name="rpc"]').fill("https://down.example.com");
  await form.getByTestId("network-save").click();
  await form.waitFor({ state: "detached" });
  const card = page.locator('[data-testid="network-card"][data-network="arbitrum"]');
  await expectText(card.getByTestId("network-save-warning"),
    /^Saved without checking the chain id: no endpoint answered \(https:\/\/down\.example\.com: cannot connect: connection refused\)\. It is checked when the network connects\.$/);
});

test("editing renames a network; removing asks first and takes its card away", async () => {
  const { page } = await openApp();
  const networks = await gotoScreen(page, "networks");
  await networks.getByTestId("network-add").click();
  let form = networks.getByTestId("network-form");
  await form.locator('[name="name"]').fill("sepolia");
  await form.locator('[name="rpc"]').fill("https://sepolia.example.org");
  await form.locator('[name="chain_id"]').fill("11155111");
  await form.getByTestId("network-save").click();
  await expect.poll(() => cardNames(page)).toEqual(["mainnet", "base", "sepolia"]);

  await card(page, "sepolia").getByTestId("network-edit").click();
  form = networks.getByTestId("network-form");
  await expectText(form.locator(".editor-title"), "Edit network sepolia");
  expect(await form.locator('[name="rpc"]').inputValue()).toBe("https://sepolia.example.org");
  expect(await form.locator('[name="chain_id"]').inputValue()).toBe("11155111");
  await form.locator('[name="name"]').fill("sepolia-test");
  await form.getByTestId("network-save").click();
  await expect.poll(() => cardNames(page)).toEqual(["mainnet", "base", "sepolia-test"]);
  await expectText(card(page, "sepolia-test").locator(".card-head .muted"), "chain 11155111");

  const renamed = card(page, "sepolia-test");
  await renamed.getByTestId("network-remove").click();
  const confirm = renamed.locator(".confirm");
  await expectText(confirm.locator("span").first(), "Remove sepolia-test? Events already stored stay in History.");
  expect(await renamed.getByTestId("network-remove").isVisible()).toBe(false);
  await confirm.getByTestId("confirm-no").click(); // changed my mind
  await expectCount(confirm, 0);
  expect(await renamed.getByTestId("network-remove").isVisible()).toBe(true);

  await renamed.getByTestId("network-remove").click();
  await renamed.getByTestId("confirm-yes").click();
  await expect.poll(() => cardNames(page)).toEqual(["mainnet", "base"]);
});

test("a network that listeners use is not removed, and its card says why", async () => {
  const { page } = await openApp();
  await gotoScreen(page, "networks");
  const mainnet = card(page, "mainnet");
  await mainnet.getByTestId("network-remove").click();
  // Refused at once: no question first.
  expect(await mainnet.getByTestId("confirm-yes").count()).toBe(0);
  const notice = mainnet.getByTestId("network-remove-error");
  await expectText(
    notice.locator(".form-error p"),
    "mainnet cannot be removed while listeners watch it: usdc-transfers, weth-approvals. Remove them or move them to another network first.",
  );
  expect(await notice.locator('[role="alert"]').count()).toBe(1);
  expect(await cardNames(page)).toEqual(["mainnet", "base"]);
  expect(await mainnet.getByTestId("network-remove").isVisible()).toBe(true); // the actions are back
  expect(await card(page, "base").getByTestId("network-remove-error").textContent()).toBe("");
});
