// History's saved filters: named filter forms kept in the window's storage, saved, picked and deleted.
import { FILTER_FIELDS, emptyForm, type FilterForm } from "./history-model";

export interface SavedFilter {
  name: string;
  form: FilterForm;
}

export type SaveResult = { ok: true; list: SavedFilter[] } | { ok: false; message: string };

/** What storage held (JSON), or none when it is missing or unreadable; unknown fields are dropped. */
export function parseSaved(json: string | null): SavedFilter[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json ?? "[]");
  } catch {
    return [];
  }
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((entry: unknown) => {
    if (entry == null || typeof entry !== "object") return [];
    const { name, form } = entry as { name?: unknown; form?: unknown };
    if (typeof name !== "string" || form == null || typeof form !== "object") return [];
    const values = form as Record<string, unknown>;
    const read = emptyForm();
    for (const f of FILTER_FIELDS) if (typeof values[f] === "string") read[f] = values[f];
    return [{ name, form: read }];
  });
}

/** True when nothing is typed in the form. */
function blank(form: FilterForm): boolean {
  return FILTER_FIELDS.every((f) => form[f].trim() === "");
}

/** Saves `form` under `name`, replacing one of the same name in any case; sorted by name. */
export function saveFilter(list: readonly SavedFilter[], name: string, form: FilterForm): SaveResult {
  const trimmed = name.trim();
  if (trimmed === "") return { ok: false, message: "Give the filter a name to save it under." };
  if (blank(form)) return { ok: false, message: "The filter is empty: type what to filter by, then save it." };
  const kept = list.filter((s) => s.name.toLowerCase() !== trimmed.toLowerCase());
  const next = [...kept, { name: trimmed, form: { ...form } }];
  next.sort((a, b) => a.name.localeCompare(b.name));
  return { ok: true, list: next };
}

/** The list without the filter named `name`. */
export function deleteFilter(list: readonly SavedFilter[], name: string): SavedFilter[] {
  return list.filter((s) => s.name !== name);
}

/** The saved filter named `name`, if any. */
export function findFilter(list: readonly SavedFilter[], name: string): SavedFilter | null {
  return list.find((s) => s.name === name) ?? null;
}
