// Unit tests for the whole-network cost text: per block, per hour, and a failed measurement.
import { describe, expect, it } from "vitest";
import { describeActivity } from "./activity-text";

describe("describeActivity", () => {
  it("gives events per block and per hour from the measured blocks", () => {
    const text = describeActivity({ activity: { blocks: 20, events: 70, seconds: 240 }, error: null }, "Local anvil");
    expect(text).toBe(
      "About 3.5 events per block on Local anvil, measured from the last 20 blocks (70 events · about 1,050 an hour). Each is fetched from the endpoint and stored in the database.",
    );
  });

  it("leaves the hour out when the blocks carry no time span", () => {
    const text = describeActivity({ activity: { blocks: 20, events: 1, seconds: 0 }, error: null }, "x");
    expect(text).toContain("About 0.1 events per block on x, measured from the last 20 blocks (1 event).");
  });

  it("states the cost in words when it cannot be measured", () => {
    const text = describeActivity({ activity: null, error: "no answer within 8 s" }, "mainnet");
    expect(text).toContain("fetched and stored, from every contract");
    expect(text).toContain("could not be measured: no answer within 8 s");
  });

  it("says it is measuring until the answer comes", () => {
    expect(describeActivity(null, "base")).toBe("Measuring how many of these events base emits per block…");
  });
});
