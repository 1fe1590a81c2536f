// What watching every contract of a network costs, in words, from a measurement of its latest blocks.
import { formatCount } from "./format";
import type { ActivityReading } from "./bindings/ActivityReading";

/** Said whatever the numbers: what "every contract" means for requests and storage. */
export const WHOLE_NETWORK_COST =
  "Every matching log on the chain is fetched and stored, from every contract: on a busy chain such as Ethereum, ERC-20 transfers alone are hundreds per block.";

/** One figure with one decimal below 10 ("0.4", "3.5", "120"). */
function rate(n: number): string {
  return n < 10 ? n.toFixed(1).replace(/\.0$/, "") : formatCount(Math.round(n));
}

/** "about 3.5 events per block on Local anvil, measured from the last 20 blocks (70 events; about 1,050 an hour)". */
export function describeActivity(reading: ActivityReading | null, network: string): string {
  if (reading == null) return `Measuring how many of these events ${network} emits per block…`;
  const a = reading.activity;
  if (a == null) return `${WHOLE_NETWORK_COST} (The cost on ${network} could not be measured: ${reading.error ?? "no answer"}.)`;
  const perBlock = a.blocks > 0 ? a.events / a.blocks : 0;
  const hourly = a.seconds > 0 ? ` · about ${rate((a.events / a.seconds) * 3600)} an hour` : "";
  const noun = a.events === 1 ? "event" : "events";
  return `About ${rate(perBlock)} events per block on ${network}, measured from the last ${formatCount(a.blocks)} blocks (${formatCount(a.events)} ${noun}${hourly}). Each is fetched from the endpoint and stored in the database.`;
}
