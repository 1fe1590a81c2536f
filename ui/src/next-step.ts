// What an empty window asks for next: a network to watch first, then a listener on it.
import type { EngineStatus } from "./bindings/EngineStatus";

/** The two steps of a first run, in order. */
export type StepAction = "network" | "listener";

export interface NextStep {
  action: StepAction;
  /** Why the screen is empty, and what comes next. */
  text: string;
  /** The button that takes the step. */
  button: string;
}

/**
 * The step still missing for the engine to store events, or null when networks and listeners
 * exist (or when the status is unknown or names a problem the error banner explains).
 */
export function nextStep(status: EngineStatus | null): NextStep | null {
  if (status == null || status.error != null) return null;
  if (status.networks.length === 0) {
    return {
      action: "network",
      text: "Tokenwatch has no network to watch yet. Start by adding one: a name, its chain id and an RPC endpoint (a local node, or a provider's URL).",
      button: "Add a network",
    };
  }
  if (status.listeners.length === 0) {
    const names = status.networks.map((n) => n.name).join(", ");
    return {
      action: "listener",
      text: `Nothing is watched on ${names} yet. Add a listener: the contracts and events to store.`,
      button: "Add a listener",
    };
  }
  return null;
}
