// Unit tests for the virtual table's arithmetic: scroll scaling, visible rows, pages, cache, keys.
import { describe, expect, it } from "vitest";
import {
  MAX_SCROLL_PX,
  PageCache,
  geometry,
  keyTarget,
  maxOffset,
  offsetAt,
  offsetToReveal,
  pagesFor,
  scrollTopFor,
  visibleRange,
} from "./virtual-table";

describe("geometry", () => {
  it("uses the real height when it fits", () => {
    const g = geometry(1_000, 28, 600);
    expect(g.height).toBe(28_000);
    expect(g.ratio).toBe(1);
    expect(offsetAt(1_234, g)).toBe(1_234);
    expect(scrollTopFor(1_234, g)).toBe(1_234);
  });

  it("scales a million rows into the browser's limit and still reaches the last row", () => {
    const g = geometry(1_000_000, 28, 600);
    expect(g.height).toBe(MAX_SCROLL_PX);
    expect(g.ratio).toBeGreaterThan(2.8);
    const bottom = g.height - g.viewport;
    expect(offsetAt(bottom, g)).toBeCloseTo(28_000_000 - 600, 3);
    expect(visibleRange(offsetAt(bottom, g), g, 0).last).toBe(1_000_000);
    expect(offsetAt(0, g)).toBe(0);
    // Scroll position and offset map back and forth.
    expect(offsetAt(scrollTopFor(14_000_000, g), g)).toBeCloseTo(14_000_000, 3);
  });

  it("clamps offsets to the list", () => {
    const g = geometry(10, 28, 600);
    expect(maxOffset(g)).toBe(0);
    expect(offsetAt(500, g)).toBe(0);
    expect(geometry(0, 28, 600).ratio).toBe(1);
  });
});

describe("visibleRange", () => {
  const g = geometry(1_000, 28, 280);
  it("covers the view plus the overscan", () => {
    expect(visibleRange(0, g, 0)).toEqual({ first: 0, last: 10 });
    expect(visibleRange(14, g, 0)).toEqual({ first: 0, last: 11 });
    expect(visibleRange(2_800, g, 5)).toEqual({ first: 95, last: 115 });
    expect(visibleRange(27_720, g, 5)).toEqual({ first: 985, last: 1_000 });
  });
  it("is empty for an empty list", () => {
    expect(visibleRange(0, geometry(0, 28, 280), 5)).toEqual({ first: 0, last: 0 });
  });
});

describe("offsetToReveal", () => {
  const g = geometry(1_000, 28, 280);
  it("moves as little as possible", () => {
    expect(offsetToReveal(5, 0, g)).toBe(0);
    expect(offsetToReveal(10, 0, g)).toBe(28);
    expect(offsetToReveal(3, 280, g)).toBe(84);
    expect(offsetToReveal(999, 0, g)).toBe(maxOffset(g));
  });
});

describe("pagesFor", () => {
  it("lists the pages holding a range of rows", () => {
    expect(pagesFor(0, 30, 200)).toEqual([0]);
    expect(pagesFor(190, 230, 200)).toEqual([0, 1]);
    expect(pagesFor(400, 400, 200)).toEqual([]);
    expect(pagesFor(999_950, 1_000_000, 200)).toEqual([4_999]);
  });
});

describe("PageCache", () => {
  it("finds rows by index and forgets the least recently used page", () => {
    const cache = new PageCache<string>(2, 2);
    cache.set(0, ["a", "b"]);
    cache.set(1, ["c", "d"]);
    expect(cache.row(3)).toBe("d");
    cache.touch(0);
    cache.set(2, ["e"]);
    expect(cache.size).toBe(2);
    expect(cache.has(1)).toBe(false);
    expect(cache.row(1)).toBe("b");
    expect(cache.row(5)).toBeUndefined();
  });
  it("patches rows in place", () => {
    const cache = new PageCache<{ id: number; s: string }>(2, 4);
    cache.set(0, [{ id: 1, s: "pending" }, { id: 2, s: "pending" }]);
    expect(cache.patch((r) => (r.id === 2 ? { ...r, s: "confirmed" } : null))).toBe(true);
    expect(cache.row(1)).toEqual({ id: 2, s: "confirmed" });
    expect(cache.patch(() => null)).toBe(false);
  });
});

describe("keyTarget", () => {
  it("moves the selection by row, page and to the ends", () => {
    expect(keyTarget("ArrowDown", null, 100, 10)).toBe(0);
    expect(keyTarget("ArrowDown", 5, 100, 10)).toBe(6);
    expect(keyTarget("ArrowUp", 0, 100, 10)).toBe(0);
    expect(keyTarget("PageDown", 5, 100, 10)).toBe(14);
    expect(keyTarget("PageUp", 5, 100, 10)).toBe(0);
    expect(keyTarget("End", null, 100, 10)).toBe(99);
    expect(keyTarget("Home", 50, 100, 10)).toBe(0);
    expect(keyTarget("ArrowDown", 99, 100, 10)).toBe(99);
  });
  it("ignores other keys and empty lists", () => {
    expect(keyTarget("a", 5, 100, 10)).toBeNull();
    expect(keyTarget("ArrowDown", null, 0, 10)).toBeNull();
  });
});
