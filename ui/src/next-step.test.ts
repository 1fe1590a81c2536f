// Unit tests for the first-run step: a network first, then a listener, then nothing.
import { describe, expect, it } from "vitest";
import { nextStep } from "./next-step";
import type { EngineStatus } from "./bindings/EngineStatus";
import type { NetworkStatus } from "./bindings/NetworkStatus";
import type { ListenerStatus } from "./bindings/ListenerStatus";

function status(networks: string[], listeners: string[], error: string | null = null): EngineStatus {
  return {
    running: true,
    networks: networks.map((name) => ({ name }) as NetworkStatus),
    listeners: listeners.map((name) => ({ name }) as ListenerStatus),
    targets: [],
    eventsStored: 0,
    database: "",
    error,
    warnings: [],
    streams: [],
    subscriptions: [],
  };
}

describe("nextStep", () => {
  it("asks for a network when there is none", () => {
    const step = nextStep(status([], []));
    expect(step?.action).toBe("network");
    expect(step?.button).toBe("Add a network");
  });

  it("asks for a listener once a network exists, naming it", () => {
    const step = nextStep(status(["Local anvil"], []));
    expect(step?.action).toBe("listener");
    expect(step?.text).toContain("Local anvil");
  });

  it("asks for nothing once both exist", () => {
    expect(nextStep(status(["Local anvil"], ["usdc"]))).toBeNull();
  });

  it("stays quiet while the status is unknown or names a problem", () => {
    expect(nextStep(null)).toBeNull();
    expect(nextStep(status([], [], "the configuration cannot be read"))).toBeNull();
  });
});
