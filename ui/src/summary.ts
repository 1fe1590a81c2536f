// Reduces an engine status to the header pill: Running, Stopped or Problem, with a reason.
import type { EngineStatus } from "./bindings/EngineStatus";

export type EngineState = "Running" | "Stopped" | "Problem";

export interface EngineSummary {
  state: EngineState;
  /** Plain-words explanation for the pill's tooltip. */
  reason: string;
}

/** `loadError` is set when the status itself could not be read. */
export function summarize(status: EngineStatus | null, loadError: string | null = null): EngineSummary {
  if (loadError != null) return { state: "Problem", reason: loadError };
  if (status == null) return { state: "Stopped", reason: "Waiting for the engine…" };
  if (status.error != null && status.error !== "") return { state: "Problem", reason: status.error };
  if (!status.running) return { state: "Stopped", reason: "The engine is not running." };
  const problems: string[] = [];
  for (const n of status.networks) {
    if (n.error != null && n.error !== "") problems.push(`${n.name}: ${n.error}`);
  }
  for (const l of status.listeners) {
    if (l.phase === "failed") problems.push(`Listener ${l.name} has failed.`);
  }
  if (problems.length > 0) return { state: "Problem", reason: problems.join("\n") };
  return { state: "Running", reason: "All networks and listeners are healthy." };
}
