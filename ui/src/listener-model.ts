// Listener editor model: form state <-> ListenerEntry, field parsing, condition text, problem placement.
import type { ConfigProblem } from "./bindings/ConfigProblem";
import type { EventInfo } from "./bindings/EventInfo";
import type { ListenerEntry } from "./bindings/ListenerEntry";
import type { PackInfo } from "./bindings/PackInfo";

/** An imported or typed event, or an `events` entry that is not a preset event. */
export interface CustomEvent {
  /** What goes into `events`: the event's display form, or the entry as it was written. */
  spec: string;
  /** Name and parameters, once known. */
  info: EventInfo | null;
  checked: boolean;
}

/** Everything the listener form edits, as the form holds it. */
export interface ListenerForm {
  name: string;
  network: string;
  /** Every contract of the network (true), or only those in `contracts`. */
  wholeNetwork: boolean;
  /** One address per line. */
  contracts: string;
  /** Checked preset events, as `pack:Name`. */
  presets: string[];
  custom: CustomEvent[];
  /** Path of an ABI file whose events are all watched. */
  abi: string | null;
  where: string;
  fromBlock: string;
  paused: boolean;
  notify: boolean;
  webhooks: string[];
  rabbitmq: string[];
  announceHistory: boolean;
}

/** The parts of the form a problem can be shown next to (`form`: at the top). */
export type FieldName = "name" | "network" | "contracts" | "events" | "where" | "from_block" | "delivery" | "form";

export interface FieldProblem {
  field: FieldName;
  message: string;
  /** For `events`: the `events` entry concerned (a pack id, `pack:Name` or a custom spec). */
  eventKey: string | null;
}

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;

/** A fresh listener on `network`: every contract, no events yet, pop-ups on, from now on. */
export function emptyForm(network: string): ListenerForm {
  return {
    name: "",
    network,
    wholeNetwork: false,
    contracts: "",
    presets: [],
    custom: [],
    abi: null,
    where: "",
    fromBlock: "latest",
    paused: false,
    notify: true,
    webhooks: [],
    rabbitmq: [],
    announceHistory: false,
  };
}

function findPack(packs: readonly PackInfo[], id: string): PackInfo | undefined {
  const lower = id.trim().toLowerCase();
  return packs.find((p) => p.id.toLowerCase() === lower);
}

/** The preset events (`pack:Name`) one `events` entry stands for, or null when it is no preset. */
export function presetKeys(spec: string, packs: readonly PackInfo[]): string[] | null {
  const whole = /^\s*([A-Za-z0-9_-]+)\s*(?::\s*\*\s*)?$/.exec(spec);
  if (whole) {
    const pack = findPack(packs, whole[1]);
    return pack ? pack.events.map((e) => `${pack.id}:${e.name}`) : null;
  }
  const one = /^\s*([A-Za-z0-9_-]+)\s*:\s*([A-Za-z_$][A-Za-z0-9_$]*)\s*$/.exec(spec);
  if (one) {
    const pack = findPack(packs, one[1]);
    if (pack?.events.some((e) => e.name === one[2])) return [`${pack.id}:${one[2]}`];
  }
  return null;
}

/** The form for an existing listener; entries that are no preset become custom events. */
export function formFromEntry(entry: ListenerEntry, packs: readonly PackInfo[]): ListenerForm {
  const presets = new Set<string>();
  const custom: CustomEvent[] = [];
  for (const spec of entry.events) {
    const keys = presetKeys(spec, packs);
    if (keys) keys.forEach((k) => presets.add(k));
    else if (!custom.some((c) => c.spec === spec)) custom.push({ spec, info: null, checked: true });
  }
  return {
    name: entry.name,
    network: entry.network,
    wholeNetwork: entry.contracts.length === 0,
    contracts: entry.contracts.join("\n"),
    presets: [...presets],
    custom,
    abi: entry.abi,
    where: entry.where ?? "",
    fromBlock: fromBlockText(entry.from_block),
    paused: entry.paused,
    notify: entry.notify,
    webhooks: [...entry.webhooks],
    rabbitmq: [...entry.rabbitmq],
    announceHistory: entry.announce_history,
  };
}

/** The `events` list: a whole pack when all its events are ticked, else its ticked events; then custom ones. */
export function eventsOf(form: ListenerForm, packs: readonly PackInfo[]): string[] {
  const ticked = new Set(form.presets);
  const out: string[] = [];
  for (const pack of packs) {
    const keys = pack.events.map((e) => `${pack.id}:${e.name}`);
    const on = keys.filter((k) => ticked.has(k));
    if (keys.length > 0 && on.length === keys.length) out.push(pack.id);
    else out.push(...on);
  }
  for (const c of form.custom) if (c.checked && !out.includes(c.spec)) out.push(c.spec);
  return out;
}

/** The events the form has ticked, with their parameters where known (for the condition builder). */
export function chosenEvents(form: ListenerForm, packs: readonly PackInfo[]): EventInfo[] {
  const ticked = new Set(form.presets);
  const out: EventInfo[] = [];
  for (const pack of packs) for (const e of pack.events) if (ticked.has(`${pack.id}:${e.name}`)) out.push(e);
  for (const c of form.custom) if (c.checked && c.info) out.push(c.info);
  return out;
}

export interface AddressList {
  addresses: string[];
  /** The 1-based line each address came from. */
  lines: number[];
  /** "Line 2: …" for each entry that is not an address. */
  problems: string[];
}

/** Addresses, one per line (commas, spaces and semicolons also separate); blank lines are skipped. */
export function parseAddresses(text: string): AddressList {
  const out: AddressList = { addresses: [], lines: [], problems: [] };
  text.split(/\r?\n/).forEach((line, i) => {
    for (const word of line.split(/[\s,;]+/).filter((w) => w !== "")) {
      out.addresses.push(word);
      out.lines.push(i + 1);
      const why = addressProblem(word);
      if (why) out.problems.push(`Line ${i + 1}: ${why}`);
    }
  });
  return out;
}

function addressProblem(word: string): string | null {
  if (ADDRESS_RE.test(word)) return null;
  if (!/^0x/i.test(word)) return `"${word}" is not an address: it must start with 0x`;
  const hex = word.slice(2);
  if (!/^[0-9a-fA-F]*$/.test(hex)) return `"${word}" is not an address: it contains characters that are not hex digits`;
  return `"${word}" is not an address: it has ${hex.length} hex digits instead of 40`;
}

export type StartBlock = { ok: true; value: number | string | null } | { ok: false; message: string };

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:Z|[+-]\d{2}:\d{2})?)?$/;

/** The start block as typed: empty (from now on), "latest", a block number or a date. */
export function parseFromBlock(text: string): StartBlock {
  const t = text.trim();
  if (t === "") return { ok: true, value: null };
  if (t.toLowerCase() === "latest") return { ok: true, value: "latest" };
  if (/^-\s*\d/.test(t)) return { ok: false, message: "A block number cannot be negative." };
  if (/^\d[\d_,]*$/.test(t)) {
    const n = Number(t.replace(/[_,]/g, ""));
    if (Number.isSafeInteger(n)) return { ok: true, value: n };
    return { ok: false, message: `${t} is too large for a block number.` };
  }
  const d = DATE_RE.exec(t);
  if (d) {
    const [y, m, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
    const date = new Date(Date.UTC(y, m - 1, day));
    const real = date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === day;
    const clock = d[4] == null || (Number(d[4]) <= 23 && Number(d[5]) <= 59 && Number(d[6] ?? 0) <= 59);
    if (real && clock) return { ok: true, value: t };
    return { ok: false, message: `${t} is not a real date or time.` };
  }
  return { ok: false, message: `"${t}" is not a block number, "latest" or a date like 2024-05-01.` };
}

/** The start block as the form shows it. */
export function fromBlockText(value: number | string | null): string {
  return value == null ? "" : String(value);
}

/** The entry the form describes, with the problems the form itself can see. */
export interface Built {
  entry: ListenerEntry;
  problems: FieldProblem[];
  /** For `contracts[i]` problems: the line of contract i. */
  contractLines: number[];
}

export function buildEntry(form: ListenerForm, packs: readonly PackInfo[]): Built {
  const problems: FieldProblem[] = [];
  const local = (field: FieldName, message: string) => problems.push({ field, message, eventKey: null });
  if (form.name.trim() === "") local("name", "Give the listener a name.");
  if (form.network === "") local("network", "Choose the network to watch.");
  let contracts: string[] = [];
  let contractLines: number[] = [];
  if (!form.wholeNetwork) {
    const parsed = parseAddresses(form.contracts);
    contracts = parsed.addresses;
    contractLines = parsed.lines;
    parsed.problems.forEach((m) => local("contracts", m));
    if (contracts.length === 0) local("contracts", "List at least one contract address, or choose every contract on the network.");
  }
  const events = eventsOf(form, packs);
  if (events.length === 0 && form.abi == null) local("events", "Tick at least one event to watch.");
  const start = parseFromBlock(form.fromBlock);
  if (!start.ok) local("from_block", start.message);
  const where = form.where.trim();
  const entry: ListenerEntry = {
    name: form.name.trim(),
    network: form.network,
    contracts,
    events,
    abi: form.abi,
    where: where === "" ? null : where,
    from_block: start.ok ? start.value : form.fromBlock.trim(),
    paused: form.paused,
    webhooks: [...form.webhooks],
    rabbitmq: [...form.rabbitmq],
    notify: form.notify,
    announce_history: form.announceHistory,
  };
  return { entry, problems, contractLines };
}

/** Which field a problem's `at` (`listeners[0] ("x").where`, `name`, …) names, and the list index if any. */
export function problemField(at: string): { field: FieldName; index: number | null } {
  if (at === "name") return { field: "name", index: null };
  const m = /\.([a-z_]+)(?:\[(\d+)\])?$/.exec(at);
  const key = m?.[1];
  const index = m?.[2] == null ? null : Number(m[2]);
  switch (key) {
    case "where":
    case "network":
    case "contracts":
    case "events":
    case "from_block":
      return { field: key, index };
    case "abi":
      return { field: "events", index: null };
    case "webhooks":
    case "rabbitmq":
      return { field: "delivery", index };
    default:
      return { field: "form", index: null };
  }
}

/** Problems from the engine placed on the form: contract lines named, events keyed by their entry. */
export function placeProblems(problems: readonly ConfigProblem[], built: Built): FieldProblem[] {
  return problems.map((p) => {
    const { field, index } = problemField(p.at);
    if (field === "contracts" && index != null && built.contractLines[index] != null) {
      return { field, message: `Line ${built.contractLines[index]}: ${p.message}`, eventKey: null };
    }
    const eventKey = field === "events" && index != null ? (built.entry.events[index] ?? null) : null;
    return { field, message: p.message, eventKey };
  });
}

/** The form's own problems, then the engine's for fields the form finds no fault with. */
export function mergeProblems(local: readonly FieldProblem[], remote: readonly FieldProblem[]): FieldProblem[] {
  const faulty = new Set(local.map((p) => p.field));
  const seen = new Set(local.map((p) => `${p.field}\n${p.message}`));
  const out = [...local];
  for (const p of remote) {
    const key = `${p.field}\n${p.message}`;
    if (faulty.has(p.field) || seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}

export type Operator = "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in";

/** Operators in words, for the condition builder. */
export const OPERATOR_WORDS: Record<Operator, string> = {
  "==": "is",
  "!=": "is not",
  "<": "is less than",
  "<=": "is at most",
  ">": "is more than",
  ">=": "is at least",
  in: "is one of",
  "not in": "is none of",
};

const NUMBER_TYPE = /^u?int\d*$/;

/** The operators a parameter type supports: order comparisons for numbers only. */
export function operatorsFor(ty: string): Operator[] {
  return NUMBER_TYPE.test(ty) ? ["==", "!=", "<", "<=", ">", ">=", "in", "not in"] : ["==", "!=", "in", "not in"];
}

export interface ConditionField {
  name: string;
  ty: string;
  /** The chosen events that have this parameter. */
  events: string[];
  /** The events a clause on it is written for (`Transfer(…)`); empty: every chosen event has it. */
  scope: string[];
}

/**
 * The named parameters of the chosen events, once per name and type, in order of appearance.
 * One only some events have is scoped to the names of those that have it; an event name
 * shared by signatures of which one lacks it cannot be scoped, and is left out.
 */
export function conditionFields(events: readonly EventInfo[]): ConditionField[] {
  const out: ConditionField[] = [];
  for (const e of events) {
    for (const p of e.params) {
      if (p.name === "") continue;
      const known = out.find((f) => f.name === p.name && f.ty === p.ty);
      if (known) {
        if (!known.events.includes(e.name)) known.events.push(e.name);
      } else out.push({ name: p.name, ty: p.ty, events: [e.name], scope: [] });
    }
  }
  const names = new Set(events.map((e) => e.name));
  const has = (e: EventInfo, f: ConditionField) => e.params.some((p) => p.name === f.name && p.ty === f.ty);
  return out.flatMap((f) => {
    const whole = f.events.filter((n) => events.every((e) => e.name !== n || has(e, f)));
    if (whole.length === 0) return [];
    return [{ ...f, events: whole, scope: whole.length === names.size ? [] : whole }];
  });
}

function literal(value: string, ty: string): string {
  const v = value.trim();
  if (ty === "string") return /^".*"$/.test(v) ? v : JSON.stringify(v);
  if (ty === "bool") return v.toLowerCase();
  return v;
}

/**
 * `field op value` in the condition language (strings quoted, `in` lists bracketed), inside
 * `Event(…)` for each event of `scope`; null when the value is empty.
 */
export function conditionClause(field: string, op: Operator, value: string, ty: string, scope: readonly string[] = []): string | null {
  const v = value.trim();
  if (v === "") return null;
  let clause: string;
  if (op === "in" || op === "not in") {
    const items = v.replace(/^\[|\]$/g, "").split(",").map((s) => s.trim()).filter((s) => s !== "");
    if (items.length === 0) return null;
    clause = `${field} ${op} [${items.map((s) => literal(s, ty)).join(", ")}]`;
  } else clause = `${field} ${op} ${literal(v, ty)}`;
  return scope.length === 0 ? clause : scope.map((e) => `${e}(${clause})`).join(" and ");
}

/** Adds a clause to a condition with `and`; an existing `or` is kept together in parentheses. */
export function appendCondition(where: string, clause: string): string {
  const w = where.trim();
  if (w === "") return clause;
  const grouped = /\b(or|OR)\b|\|\|/.test(w) ? `(${w})` : w;
  return `${grouped} and ${clause}`;
}

/** One line about what a listener watches: "Transfer on 1 contract · when value >= 5 · pop-ups, ops-hook". */
export function describeListener(entry: ListenerEntry): string {
  const events = entry.events.map((spec) => {
    const m = /^\s*(?:event\s+)?([A-Za-z_$][\w$]*)\s*\(/.exec(spec);
    if (m) return m[1];
    const [pack, name] = spec.split(":").map((s) => s.trim());
    return name == null || name === "*" ? `all ${pack} events` : name;
  });
  if (entry.abi != null) events.push(`events of ${entry.abi}`);
  const n = entry.contracts.length;
  const where = n === 0 ? "any contract" : n === 1 ? "1 contract" : `${n} contracts`;
  const parts = [`${events.join(", ") || "no events"} on ${where}`];
  if (entry.where) parts.push(`when ${entry.where}`);
  const delivery = [...(entry.notify ? ["pop-ups"] : []), ...entry.webhooks, ...entry.rabbitmq];
  parts.push(delivery.length > 0 ? delivery.join(", ") : "stored only");
  return parts.join(" · ");
}
