// The Tokens screen and the address book with a mock backend: a token's summary, top holders,
// register and an address's balance; the empty, partial and mismatch states; labels set from a
// holder row read everywhere, refused with control characters, and found by History's filter.
import { expect, test } from "vitest";
import { expectCount, expectText, gotoScreen, openApp } from "./harness";
import { fakeCalls, setFakeAnswer } from "./fake-tauri";
import type { TokenState } from "../../ui/src/bindings/TokenState";

const STATUS = {
  state: "running",
  networks: [],
  listeners: [],
  targets: [],
  eventsStored: 0,
  lastError: null,
  database: "/tmp/tokenwatch.db",
};

const TOKEN: TokenState = {
  network: "local", chainId: 31337, token: "0x5FbDB2315678afecb367f032d93F642f64180aa3", symbol: "TUSD", decimals: 6,
  holders: 2, supply: "1500000", minted: "2000000", burned: "500000", transfers: 4,
  completeFromBlock: 0, coveredToBlock: 9, createdBlock: 1, complete: true,
  reconciledBlock: 9, reconciliation: "ok", reconciliationNote: null, updating: false, registersOnly: false,
};

/** A window inside a fake Tauri whose engine has stored exactly these tokens. */
async function withTokens(tokens: TokenState[], registers: unknown = null) {
  const app = await openApp({
    tauri: {
      engine_status: { value: STATUS },
      recent_events: { value: [] },
      history_page: { value: [] },
      history_index: { value: { total: 0, every: 100, anchors: [] } },
      labels: { value: [] },
      token_states: { value: tokens },
      top_holders: { value: [{ address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", balance: "1000000", share: "0.666666" }] },
      supply_series: { value: { bucketSecs: 60, points: [] } },
      holder_series: { value: { bucketSecs: 60, points: [] } },
      token_registers: { value: registers },
    },
  });
  return { ...app, screen: await gotoScreen(app.page, "tokens") };
}

test("a token's summary, top holders, register and an address's balance over time", async () => {
  const { page } = await openApp();
  const screen = await gotoScreen(page, "tokens");
  await expectCount(screen.locator(".token-item"), 2);
  await expectText(screen.getByTestId("token-supply"), "1,000,000 USDC");
  await expectText(screen.getByTestId("token-minted"), "1,200,000 USDC");
  await expectText(screen.getByTestId("token-holders"), "3");
  await expectText(screen.getByTestId("token-completeness"), "Complete (since its creation at block 6,082,465)");
  await expectText(screen.getByTestId("token-reconciliation"), "Agrees with the chain at block 21,449,999");
  const top = screen.getByTestId("token-top").locator("tbody tr");
  await expectCount(top, 3);
  await expectText(top.first().getByTestId("holder-share"), "60.00 %");
  await expectText(screen.getByTestId("supply-note"), "3 mints and 1 burns stored");
  await expectText(screen.getByTestId("holder-note"), "3 holders at block 21,300,000; at most 5");
  await expectCount(screen.locator("[data-testid=token-holder-chart] svg"), 1);
  expect(await screen.getByTestId("token-supply-chart").locator(".line-chart").first().locator(".mark-down").count()).toBe(1);
  expect(await screen.getByTestId("token-holder-chart").locator(".line-chart .mark-down").count()).toBe(1);

  await screen.locator("[name=at]").fill("12,345");
  await screen.getByTestId("register-show").click();
  await expectText(screen.getByTestId("register-summary"), "3 holders at block 12,345 (block 12,345)");
  await screen.locator("[name=at]").fill("2024-02-30");
  await screen.getByTestId("register-show").click();
  await expectText(screen.getByTestId("register-note"), /is not a block number nor a date/);

  await top.first().getByTestId("holder-address").locator("button").click();
  await expectText(screen.getByTestId("address-balance"), "Balance 600,000 USDC after 2 transfers");
});

test("a token's compliance registers: each entry since its block, its history on click; identities and partitions", async () => {
  const { page } = await openApp();
  const screen = await gotoScreen(page, "tokens");
  const section = screen.getByTestId("token-compliance");
  const entry = (register: string) => section.locator(`[data-register=${register}] [data-testid=compliance-entry]`);
  await expectCount(entry("frozen_wallet"), 1);
  await expectText(entry("frozen_wallet").getByTestId("compliance-who"), "0x3C44…93BC");
  await expectText(entry("frozen_wallet").getByTestId("compliance-since"), "since block 21,100,003");
  await expectText(entry("frozen_amount").getByTestId("compliance-value"), "250 USDC");
  await expectText(entry("agent").getByTestId("compliance-who"), "0x9965…A4dc");
  await expectText(entry("paused").getByTestId("compliance-value"), "paused");
  await expectText(entry("recovery").getByTestId("compliance-value"), "recovered to 0x7099…79C8");
  await expectText(entry("recovery").getByTestId("compliance-since"), "at block 21,100,007");

  await expectCount(section.getByTestId("compliance-history"), 0);
  await entry("frozen_amount").locator("button").click();
  const lines = entry("frozen_amount").locator("[data-testid=compliance-history] li");
  await expectCount(lines, 2);
  await expectText(lines.first(), /^block 21,100,004 \(.*\): TokensFrozen \+300 USDC$/);
  await expectText(lines.nth(1), /TokensUnfrozen -50 USDC$/);
  await entry("frozen_amount").locator("button").click();
  await expectCount(section.getByTestId("compliance-history"), 0);

  // Identities: wallet, identity, country named, since; the history opens below the row.
  await expectText(section.getByTestId("identity-source"), "Identity registry 0x15d3…6A65: 3 stored events");
  const identity = entry("identity");
  await expectCount(identity, 2);
  await expectText(identity.first().getByTestId("compliance-who"), "0x9965…A4dc");
  await expectText(identity.first().getByTestId("identity-id"), "0x976E…0aa9");
  await expectText(identity.first().getByTestId("identity-country"), "Switzerland (756)");
  await expectText(identity.nth(1).getByTestId("identity-country"), "not set by an event");
  await identity.first().locator("button").click();
  const idLines = section.locator("[data-register=identity] [data-testid=compliance-history] li");
  await expectCount(idLines, 2);
  await expectText(idLines.nth(1), /CountryUpdated Switzerland \(756\)$/);

  // Partitions: the one named by bytes that are not text shows as hex; balances in token units.
  const partition = entry("partition");
  await expectCount(partition, 2);
  await expectText(partition.first().getByTestId("partition-name"), `0x${"01".repeat(32)}`);
  await expectText(partition.first().getByTestId("compliance-value"), "400,000 USDC");
  await expectText(partition.nth(1).getByTestId("partition-name"), "class A");
  await expectText(partition.nth(1).getByTestId("compliance-since"), "since block 21,000,006");

  await screen.locator('[data-token^="base:"]').click();
  await expectText(screen.locator(".token-title"), /on base/);
  await expectCount(screen.getByTestId("token-compliance"), 0);
});

test("a token with only registers stored shows them, and says why it has no holders", async () => {
  const part = { ...TOKEN, symbol: "BOND", holders: 0, supply: "0", minted: "0", burned: "0", transfers: 0, completeFromBlock: null, complete: false, reconciliation: "unchecked", registersOnly: true };
  const { page, screen } = await withTokens([part], {
    network: "local", chainId: 31337, token: TOKEN.token, events: 1, registry: null, identityEvents: 0, partitionEvents: 1,
    entries: [{ register: "partition", address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", value: "2500000", partition: "class A", sinceBlock: 7, sinceTime: null,
      history: [{ eventId: 1, block: 7, time: null, tx: `0x${"ab".repeat(32)}`, event: "IssuedByPartition", value: "+2500000" }] }],
  });
  await expectText(screen.locator(".token-item").first(), /local · registers/);
  await expectText(screen.getByTestId("token-registers-only"), /no ERC-20 Transfer of it/);
  const entry = screen.locator("[data-register=partition] [data-testid=compliance-entry]");
  await expectCount(entry, 1);
  await expectText(entry.getByTestId("compliance-value"), "2.5 BOND");
  await expectCount(screen.getByTestId("token-top"), 0);
  await expectCount(screen.getByTestId("register-show"), 0);
  expect(await fakeCalls(page)).not.toContain("top_holders");
});

test("no tokens: the screen says what fills it", async () => {
  const { screen } = await withTokens([]);
  await expectText(screen.getByTestId("tokens-empty"), /A listener with erc20:Transfer on a token/);
  await expectCount(screen.locator(".token-item"), 0);
});

test("a partial history says since which block and what to do; a mismatch says what the chain said", async () => {
  const partial = { ...TOKEN, complete: false, completeFromBlock: 120, reconciledBlock: null, reconciliation: "unchecked" };
  const { screen } = await withTokens([partial]);
  await expectText(screen.getByTestId("token-completeness"), /^Partial since block 120/);
  await expectText(screen.getByTestId("token-complete-action"), /set from block 0 on the listener that watches its transfers/);
  await expectText(screen.getByTestId("token-reconciliation"), "Not checked: its history is partial");
  await expectText(screen.locator(".token-item .chip"), "partial");

  const note = "totalSupply() is 1600000, the stored transfers give 1500000";
  const mismatch = { ...TOKEN, reconciliation: "mismatch", reconciliationNote: note };
  const other = await withTokens([mismatch]);
  const rec = other.screen.getByTestId("token-reconciliation");
  await expectText(rec, `Mismatch with the chain at block 9: ${note}`);
  expect(await rec.getAttribute("data-state")).toBe("mismatch");
  await expectText(other.screen.locator(".token-item .chip"), "mismatch");
});

test("a label set on a holder shows in the holders list and the address book, and History finds it", async () => {
  const { page } = await openApp();
  const screen = await gotoScreen(page, "tokens");
  const first = screen.getByTestId("token-top").locator("tbody tr").first();
  await expectCount(first, 1);
  await first.getByTestId("holder-label").click();
  const dialog = page.getByTestId("label-dialog");
  await dialog.locator("[name=label]").fill("Bad\tname");
  await dialog.getByTestId("label-save").click();
  await expectText(dialog.getByTestId("label-error"), "the label has a control character (a line break, a tab…)");
  await dialog.locator("[name=label]").fill("Issuer treasury");
  await dialog.getByTestId("label-save").click();
  await expectText(first.getByTestId("holder-address"), "Issuer treasury 0x9965…A4dc");

  const book = await gotoScreen(page, "addresses");
  await expectText(book.locator('[data-address="0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"] [data-testid=label-text]'), "Issuer treasury");
  await expectText(book.locator(`[data-address="0x0000000000000000000000000000000000000000"] [data-testid=label-text]`), "mint / burn");

  const history = await gotoScreen(page, "history");
  await history.locator("[name=address]").fill("issuer TREASURY");
  await history.getByTestId("history-apply").click();
  await expect.poll(() => history.locator("[name=address]").getAttribute("aria-invalid")).toBe(null);
  await history.locator("[name=address]").fill("Nobody");
  await history.getByTestId("history-apply").click();
  await expectText(history.getByTestId("history-filter-error"), /not an address \(0x and 40 hex digits\) nor a label in the address book/);
});

test("an address in the event detail is labelled there, and opens its balance and its events", async () => {
  const { page } = await openApp({ fakeClock: true });
  await gotoScreen(page, "feed");
  const row = page.getByTestId("feed-row").filter({ hasText: "usdc-transfers" }).first();
  await row.waitFor();
  await row.click();
  const detail = page.getByTestId("event-detail");
  await detail.waitFor({ state: "visible" });
  const from = detail.locator('[data-field="from"]');
  const address = ((await from.textContent()) ?? "").slice(0, 42);
  expect(address).toMatch(/^0x[0-9a-fA-F]{40}$/);

  await from.getByTestId("address-label").click();
  await page.getByTestId("label-dialog").locator("[name=label]").fill("Custodian");
  await page.getByTestId("label-save").click();
  await expectText(from.getByTestId("detail-label"), "Custodian");
  await expectText(row.locator("td").last(), new RegExp(`^Custodian ${address.slice(0, 6)}…`));

  await from.getByTestId("address-balance-open").click();
  const tokens = page.locator('[data-screen-id="tokens"]');
  await tokens.waitFor({ state: "visible" });
  await expectText(tokens.getByTestId("address-view").locator("h3"), new RegExp(`^Custodian ${address.slice(0, 6)}…\\w{4} in USDC$`));
  await expectText(tokens.getByTestId("address-balance"), /^Balance .* USDC after 2 transfers$/);

  await tokens.getByTestId("address-events").click();
  const history = page.locator('[data-screen-id="history"]');
  await history.waitFor({ state: "visible" });
  expect(await history.locator("[name=address]").inputValue()).toBe(address);
  expect(await history.locator("[name=network]").inputValue()).toBe("mainnet");
});

test("Check against the chain now asks the engine and reads the result back; a stopped engine is said in words", async () => {
  const { page, screen } = await withTokens([TOKEN]);
  await expectText(screen.getByTestId("token-reconciliation"), "Agrees with the chain at block 9");
  await setFakeAnswer(page, "check_tokens", { value: null });
  await screen.getByTestId("token-check-now").click();
  await expectText(screen.getByTestId("token-check-note"), "Checking at the next block…");
  expect(await fakeCalls(page)).toContain("check_tokens");
  await setFakeAnswer(page, "token_states", { value: [{ ...TOKEN, reconciliation: "mismatch", reconciliationNote: "totalSupply() is 2, the stored transfers give 1" }] });
  await expectText(screen.getByTestId("token-reconciliation"), "Mismatch with the chain at block 9: totalSupply() is 2, the stored transfers give 1");
  await setFakeAnswer(page, "check_tokens", { error: { code: "engine.stopped", message: "the engine is not running, so nothing can be checked now" } });
  await screen.getByTestId("token-check-now").click();
  await expectText(screen.getByTestId("token-check-note"), "the engine is not running, so nothing can be checked now");
});
