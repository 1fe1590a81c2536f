// The address book as the window knows it: labels by network (a network's own label wins over
// one for all networks), looked up by every place that shows an address.
import type { AddressLabel } from "./bindings/AddressLabel";

/** Labels for all networks (key "") and per network, by lower-case address. */
let byNetwork = new Map<string, Map<string, string>>();
let entries: AddressLabel[] = [];
const watchers = new Set<() => void>();

/** Replaces the book (as the engine answered) and tells the views showing addresses. */
export function setBook(next: readonly AddressLabel[]): void {
  entries = [...next];
  byNetwork = new Map();
  for (const e of next) {
    const key = e.network ?? "";
    let m = byNetwork.get(key);
    if (m == null) byNetwork.set(key, (m = new Map()));
    m.set(e.address.toLowerCase(), e.label);
  }
  for (const w of watchers) w();
}

/** The book's entries, as last set. */
export function bookEntries(): readonly AddressLabel[] {
  return entries;
}

/** Calls `f` after each change of the book; returns the way to stop. */
export function onBookChange(f: () => void): () => void {
  watchers.add(f);
  return () => watchers.delete(f);
}

/** The label of `address` on `network` (its own, else the one for all networks), or null. */
export function labelOf(address: string, network: string | null = null): string | null {
  const a = address.toLowerCase();
  return (network == null ? undefined : byNetwork.get(network)?.get(a)) ?? byNetwork.get("")?.get(a) ?? null;
}

export type Resolved = { ok: true; address: string } | { ok: false; message: string };

/**
 * What an address field holds: an address as typed, or the one address a label (any case) names
 * on `network` (any network when null). A label of several addresses is refused, naming them.
 */
export function resolveAddress(text: string, network: string | null): Resolved {
  if (/^0x[0-9a-fA-F]{40}$/.test(text)) return { ok: true, address: text };
  const wanted = text.trim().toLowerCase();
  const found = new Set(
    entries
      .filter((e) => e.label.toLowerCase() === wanted && (network == null || e.network == null || e.network === network))
      .map((e) => e.address.toLowerCase()),
  );
  const [only] = found;
  if (found.size === 1 && only != null) return { ok: true, address: only };
  if (found.size === 0) return { ok: false, message: `“${text}” is not an address (0x and 40 hex digits) nor a label in the address book.` };
  return { ok: false, message: `The label “${text}” names ${String(found.size)} addresses (${[...found].join(", ")}); type the one you mean.` };
}
