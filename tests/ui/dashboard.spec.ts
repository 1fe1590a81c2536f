// The Dashboard: events over time per listener (stacked bars, legend, time window), the busiest
// tokens and addresses, and the engine's health in words.
import { expect, test } from "vitest";
import type { Locator, Page } from "playwright-core";
import { expectText, gotoScreen, openApp, screen } from "./harness";

/** The mock's listeners, as the legend lists them (by name). */
const LISTENERS = ["base-usdc", "usdc-transfers", "weth-approvals"];

/** What the chart shows: buckets, the series classes of its bars, the legend. */
async function chartState(chart: Locator): Promise<{ buckets: number; barSeries: string[]; legend: { name: string; swatch: string; count: number }[] }> {
  return chart.evaluate((el) => ({
    buckets: el.querySelectorAll("svg g.chart-bucket").length,
    barSeries: [...new Set([...el.querySelectorAll("rect.chart-bar")].map((r) => [...r.classList].find((c) => c.startsWith("series-")) ?? ""))].sort(),
    legend: [...el.querySelectorAll(".chart-legend li")].map((li) => ({
      name: li.getAttribute("data-listener") ?? "",
      swatch: [...(li.querySelector(".chart-swatch")?.classList ?? [])].find((c) => c.startsWith("series-")) ?? "",
      count: Number((li.querySelector(".muted")?.textContent ?? "").replace(/\D/g, "")),
    })),
  }));
}

/** The table's rows as [name, network, events]. */
function tableRows(table: Locator): Promise<[string, string, number][]> {
  return table.locator("tbody tr").evaluateAll((rows) =>
    rows.map((r) => {
      const [name, network, count] = [...r.querySelectorAll("td")].map((td) => (td.textContent ?? "").trim());
      return [name, network, Number(count.replace(/\D/g, ""))] as [string, string, number];
    }),
  );
}

/** A health line: its words and tone. */
function healthLine(page: Page, key: string): Locator {
  return screen(page, "dashboard").locator(`[data-testid="dashboard-health"] .health-line[data-key="${key}"]`);
}

test("the chart stacks each listener's events in buckets with a legend; the window changes the buckets and is remembered", async () => {
  const { page } = await openApp();
  const dashboard = screen(page, "dashboard");
  const chart = dashboard.getByTestId("dashboard-chart");
  const note = dashboard.locator(".dash-card").first().locator(".dash-note");
  const windowButton = (id: string) => dashboard.locator(`[data-testid="dashboard-window"] button[data-window="${id}"]`);

  // The default window: the last 24 hours in 30-minute buckets.
  expect(await windowButton("24h").getAttribute("aria-pressed")).toBe("true");
  await expectText(note, /^Per listener, in 30-minute buckets, over the last 24 hours up to the newest stored event \(.+\)\.$/);
  await expect.poll(async () => (await chartState(chart)).legend.length).toBe(3);
  let state = await chartState(chart);
  expect(state.legend.map((l) => l.name)).toEqual(LISTENERS);
  expect(state.buckets === 48 || state.buckets === 49, `${state.buckets} buckets`).toBe(true);
  // Each listener has its own colour, and bars in it.
  expect(new Set(state.legend.map((l) => l.swatch)).size).toBe(3);
  expect(state.barSeries).toEqual(state.legend.map((l) => l.swatch).sort());
  for (const l of state.legend) expect(l.count, l.name).toBeGreaterThan(0);
  const total = state.legend.reduce((n, l) => n + l.count, 0);
  expect(await chart.locator("svg").getAttribute("aria-label")).toMatch(/^Events per listener over the last 24 hours: [\d,]+ events$/);
  expect(total).toBeGreaterThan(1000);

  await windowButton("1h").click();
  await expectText(note, /^Per listener, in 1-minute buckets, over the last hour up to/);
  expect(await windowButton("1h").getAttribute("aria-pressed")).toBe("true");
  expect(await windowButton("24h").getAttribute("aria-pressed")).toBe("false");
  await expect.poll(async () => (await chartState(chart)).buckets).toBeGreaterThanOrEqual(60);
  state = await chartState(chart);
  expect(state.buckets).toBeLessThanOrEqual(61);
  expect(state.legend.map((l) => l.name)).toEqual(LISTENERS);
  expect(state.legend.reduce((n, l) => n + l.count, 0)).toBeLessThan(total);

  await windowButton("7d").click();
  await expectText(note, /^Per listener, in 3-hour buckets, over the last 7 days up to/);
  await expect.poll(async () => (await chartState(chart)).buckets).toBeGreaterThanOrEqual(56);
  expect((await chartState(chart)).buckets).toBeLessThanOrEqual(57);

  await page.reload();
  await page.locator("nav .nav-item").first().waitFor();
  await expectText(note, /^Per listener, in 3-hour buckets, over the last 7 days/);
  expect(await windowButton("7d").getAttribute("aria-pressed")).toBe("true");
});

test("the busiest tokens and addresses are listed, busiest first", async () => {
  const { page } = await openApp({ fakeClock: true });
  const dashboard = await gotoScreen(page, "dashboard");
  const tokens = dashboard.getByTestId("dashboard-tokens");
  const addresses = dashboard.getByTestId("dashboard-addresses");

  await expect.poll(() => tokens.locator("tbody tr").count()).toBe(3);
  const tokenRows = await tableRows(tokens);
  // Each symbol with its contract's address: a copycat "USDC" is told apart by it.
  for (const [name] of tokenRows) expect(name).toMatch(/^(USDC|WETH) 0x[0-9a-fA-F]{4}…[0-9a-fA-F]{4}$/);
  expect(tokenRows.map(([name, network]) => `${name.split(" ")[0]} on ${network}`).sort()).toEqual(["USDC on base", "USDC on mainnet", "WETH on mainnet"]);
  tokenRows.slice(1).forEach(([, , n], k) => expect(n).toBeLessThanOrEqual(tokenRows[k][2]));
  expect(tokenRows[tokenRows.length - 1][2]).toBeGreaterThan(0);

  await expect.poll(() => addresses.locator("tbody tr").count()).toBe(8);
  const addressRows = await tableRows(addresses);
  for (const [name, network] of addressRows) {
    expect(name).toMatch(/^0x[0-9a-f]{4}…[0-9a-f]{4}$/);
    expect(["mainnet", "base"]).toContain(network);
  }
  addressRows.slice(1).forEach(([, , n], k) => expect(n).toBeLessThanOrEqual(addressRows[k][2]));
  await expectText(dashboard.locator(".dash-card").last().locator(".dash-note"), "Among the latest 5,000 events.");
  // The full address is one hover away.
  expect(await addresses.locator("tbody td").first().getAttribute("title")).toMatch(/^0x[0-9a-f]{40} on (mainnet|base)$/);
});

test("the health panel names each network and says how it is in words", async () => {
  const { page } = await openApp({ fakeClock: true });
  await gotoScreen(page, "dashboard");
  const text = (key: string) => healthLine(page, key).locator(".health-text");
  const details = (key: string) => healthLine(page, key).locator(".health-details li");

  await expectText(text("engine"), "Running");
  expect(await healthLine(page, "engine").getAttribute("data-tone")).toBe("ok");
  await expectText(healthLine(page, "network:mainnet").locator("dt"), "mainnet");
  await expectText(text("network:mainnet"), "1 block behind · head 21,450,000");
  await expectText(details("network:mainnet"), "rpc.ankr.com rate limited: 429 Too Many Requests");
  expect(await healthLine(page, "network:mainnet").getAttribute("data-tone")).toBe("warn");
  await expectText(healthLine(page, "network:base").locator("dt"), "base");
  await expectText(text("network:base"), "3,700 blocks behind · head 23,880,000");
  await expectText(text("listeners"), "2 live · 1 backfilling");
  await expectText(text("events"), "40");
  await expectText(text("deliveries"), "2 parked");
  expect(await healthLine(page, "deliveries").getAttribute("data-tone")).toBe("warn");

  // The mock's base network loses its endpoint for seconds 32 to 39 of every 40.
  await page.clock.runFor(32_000);
  await expectText(text("network:base"), "Cannot reach any endpoint for base; retrying every 5 seconds.");
  await expectText(details("network:base"), "base.example.org down: connection refused");
  expect(await healthLine(page, "network:base").getAttribute("data-tone")).toBe("bad");
  await expectText(text("deliveries"), "3 waiting · 2 parked");
  await expectText(details("deliveries"), "Webhook “ops”: cannot connect to the receiver (Connection refused)");

  await page.clock.runFor(8_000);
  await expectText(text("network:base"), "in sync · head 23,880,020");
  expect(await healthLine(page, "network:base").getAttribute("data-tone")).toBe("ok");
  expect(await details("network:base").count()).toBe(0);
  await expectText(text("listeners"), "3 live");
  await expectText(text("events"), "80");
});

test("a long unbroken detail in the health panel wraps inside it instead of pushing it wider", async () => {
  const path = `org.example.${"averylongfoldername".repeat(16)}`;
  const status = {
    running: true, error: null, networks: [], listeners: [], targets: [] as object[], eventsStored: 0,
    warnings: [`Logs cannot be written to ${path} (Permission denied): they go to stderr only.`],
    database: "/tmp/tokenwatch.db",
  };
  const { page } = await openApp({ fakeClock: true, tauri: { engine_status: { value: status }, recent_events: { value: [] } } });
  await gotoScreen(page, "dashboard");
  const health = screen(page, "dashboard").locator('[data-testid="dashboard-health"]');
  await health.locator(".health-details li").first().waitFor();
  expect(await health.textContent()).toContain(path);
  const fits = await health.evaluate((el) => el.scrollWidth <= el.clientWidth + 1);
  expect(fits).toBe(true);
});
