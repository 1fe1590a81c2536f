// The mock's stand-in for the engine's condition check: fields each event lacks, with the
// engine's caret, and `Event(…)` clauses left out for the other events.
import type { EventInfo } from "../bindings/EventInfo";

const KEYWORDS = new Set(["and", "or", "not", "in", "true", "false", "tokens", "token", "decimals"]);

/** What the engine would say about `where` for these events (empty: nothing). */
export function whereProblems(where: string, events: readonly EventInfo[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const e of events) {
    if (seen.has(e.display)) continue;
    seen.add(e.display);
    const used = conditionFields(forEvent(where, e.name));
    const known = e.params.map((p) => p.name);
    const unknown = used.find((f) => !known.includes(f));
    if (unknown) out.push(`for event ${e.display}: unknown field "${unknown}"; known: ${known.join(", ")}${caret(where, unknown)}`);
  }
  const depth = [...where].reduce((d, c) => (d < 0 ? d : d + (c === "(" ? 1 : c === ")" ? -1 : 0)), 0);
  if (depth !== 0) out.push("unbalanced parentheses");
  return out;
}

/** The condition as one event reads it: `Event(…)` clauses of other events left out (one level, like the engine). */
function forEvent(where: string, event: string): string {
  return where.replace(/\b([A-Za-z_$][\w$]*)\s*\(([^()]*)\)/g, (all, name: string, body: string) =>
    KEYWORDS.has(name.toLowerCase()) ? all : name === event ? `(${body})` : "true");
}

/** Field names a condition uses (words that are no keyword, literal or member after a dot). */
function conditionFields(where: string): string[] {
  const stripped = where.replace(/"(?:[^"\\]|\\.)*"/g, " ").replace(/0x[0-9a-fA-F]*/g, " ");
  const names = new Set<string>();
  for (const m of stripped.matchAll(/(^|[^.\w$])([A-Za-z_$][\w$]*)/g)) {
    if (!KEYWORDS.has(m[2].toLowerCase())) names.add(m[2]);
  }
  return [...names];
}

/** The engine's quote of a condition under its message: the line holding `word`, a caret under it. */
function caret(source: string, word: string): string {
  const line = source.split(/\r?\n/).find((l) => new RegExp(`\\b${word}\\b`).test(l)) ?? "";
  const col = line.search(new RegExp(`\\b${word}\\b`));
  return col < 0 ? "" : `\n  ${line}\n  ${" ".repeat(col)}${"^".repeat(word.length)}`;
}
