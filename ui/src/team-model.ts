// Team mode in words: each stream this engine publishes to and each subscription it mirrors.
import { formatCount } from "./format";
import type { StreamStatus } from "./bindings/StreamStatus";
import type { SubscriptionStatus } from "./bindings/SubscriptionStatus";

export type TeamState = "ok" | "busy" | "problem";

export interface TeamRow {
  key: string;
  title: string;
  state: TeamState;
  /** One short sentence each. */
  lines: string[];
}

function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

export function streamRow(s: StreamStatus): TeamRow {
  const lines = [`${plural(s.published, "message", "messages")} confirmed by the broker since the app started.`];
  if (s.behind > 0) lines.push(`About ${plural(s.behind, "stored event waits", "stored events wait")} to be published.`);
  if (s.lastError) lines.push(`Last attempt failed: ${s.lastError}. Trying again.`);
  return {
    key: `stream:${s.name}`,
    title: `Publishing to stream “${s.stream}” (${s.name})`,
    state: s.lastError ? "problem" : s.behind > 0 ? "busy" : "ok",
    lines,
  };
}

export function subscriptionRow(s: SubscriptionStatus): TeamRow {
  const state: TeamState = s.error ? "problem" : s.connected && s.caughtUp ? "ok" : "busy";
  const where = s.error ? "Not reading." : !s.connected ? "Connecting…" : s.caughtUp ? "Up to date with the stream." : "Catching up with the stream…";
  const lines = [where, `${plural(s.messages, "message", "messages")} read; next offset ${formatCount(s.nextOffset)}.`];
  if (s.networks.length > 0) lines.push(`Brings ${s.networks.length === 1 ? "network" : "networks"} ${s.networks.join(", ")} (no RPC needed here).`);
  if (s.skipped > 0) lines.push(`${plural(s.skipped, "message", "messages")} could not be read and ${s.skipped === 1 ? "was" : "were"} skipped; the log says why.`);
  if (s.lacking) lines.push(`Missing: ${s.lacking}.`);
  if (s.error) lines.push(`Problem: ${s.error}.`);
  return { key: `sub:${s.name}`, title: `Subscription “${s.name}” to stream “${s.stream}”`, state, lines };
}

/** Rows for the Networks screen's Team section (empty: the section is hidden). */
export function teamRows(
  streams: readonly StreamStatus[] | undefined,
  subscriptions: readonly SubscriptionStatus[] | undefined,
): TeamRow[] {
  return [...(subscriptions ?? []).map(subscriptionRow), ...(streams ?? []).map(streamRow)];
}
