import { describe, expect, it } from "vitest";
import { emptyForm } from "./history-model";
import { deleteFilter, findFilter, parseSaved, saveFilter } from "./saved-filters";

const form = (fields: Partial<ReturnType<typeof emptyForm>>) => ({ ...emptyForm(), ...fields });

describe("saved filters", () => {
  it("saves a named filter, replaces one of the same name in any case, and deletes it", () => {
    const first = saveFilter([], "Whales", form({ minAmount: "1,000,000" }));
    if (!first.ok) throw new Error(first.message);
    const second = saveFilter(first.list, "alerts", form({ listener: "usdc" }));
    if (!second.ok) throw new Error(second.message);
    expect(second.list.map((s) => s.name)).toEqual(["alerts", "Whales"]);
    const replaced = saveFilter(second.list, "whales", form({ minAmount: "5" }));
    if (!replaced.ok) throw new Error(replaced.message);
    expect(replaced.list.map((s) => s.name)).toEqual(["alerts", "whales"]);
    expect(findFilter(replaced.list, "whales")?.form.minAmount).toBe("5");
    expect(deleteFilter(replaced.list, "alerts").map((s) => s.name)).toEqual(["whales"]);
  });

  it("refuses a filter without a name or without anything to filter by", () => {
    expect(saveFilter([], "  ", form({ listener: "x" }))).toEqual({ ok: false, message: "Give the filter a name to save it under." });
    expect(saveFilter([], "all", emptyForm()).ok).toBe(false);
  });

  it("reads back what it stored and ignores what it cannot read", () => {
    const saved = saveFilter([], "to me", form({ address: "0xabc", direction: "to" }));
    if (!saved.ok) throw new Error(saved.message);
    expect(parseSaved(JSON.stringify(saved.list))).toEqual(saved.list);
    expect(parseSaved("not json")).toEqual([]);
    expect(parseSaved(JSON.stringify([{ name: 3 }, { name: "x", form: { listener: "l", bogus: 1 } }]))).toEqual([
      { name: "x", form: form({ listener: "l" }) },
    ]);
  });
});
