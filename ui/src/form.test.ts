// Unit tests for the editors' form helpers: how far to scroll a focused control above the Save bar.
import { describe, expect, it } from "vitest";
import { clearance } from "./views/form";

describe("clearance", () => {
  it("scrolls a control under the bar up to a gap above it, and leaves one above the bar alone", () => {
    expect(clearance(788, 751)).toBe(45);
    expect(clearance(788, 751, 0)).toBe(37);
    expect(clearance(700, 751)).toBe(0);
    expect(clearance(743, 751)).toBe(0);
  });
});
