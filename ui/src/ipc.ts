// The engine's IPC surface: commands and pushed events, from Tauri or, in a plain browser, a mock.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { AttemptRow } from "./bindings/AttemptRow";
import type { EngineStatus } from "./bindings/EngineStatus";
import type { StoredEvent } from "./bindings/StoredEvent";

/** What a failed command rejects with: plain-words `message`, machine-readable `kind`. */
export interface AppError {
  kind: string;
  message: string;
}

export type Unlisten = () => void;

export interface Backend {
  /** `engine_status` */
  engineStatus(): Promise<EngineStatus>;
  /** `recent_events`, newest first. */
  recentEvents(limit: number): Promise<StoredEvent[]>;
  /** `engine-status`: the whole status, pushed on every change. */
  onStatus(handler: (status: EngineStatus) => void): Promise<Unlisten>;
  /** `engine-event`: a newly committed event, or a status change of one (same `id`). */
  onEvent(handler: (event: StoredEvent) => void): Promise<Unlisten>;
  /** `event_detail`: one stored event, or null. */
  eventDetail(id: number): Promise<StoredEvent | null>;
  /** `delivery_attempts`, newest first. */
  deliveryAttempts(limit: number): Promise<AttemptRow[]>;
  /** `redeliver`: queues parked deliveries of a target (all when null) again; returns how many. */
  redeliver(target: string | null): Promise<number>;
  /** `open-event`: a notification was clicked (null: a summary, show the feed). */
  onOpenEvent(handler: (id: number | null) => void): Promise<Unlisten>;
}

/** Normalises anything a command may reject with into an AppError. */
export function toAppError(err: unknown): AppError {
  if (err != null && typeof err === "object") {
    const o = err as Record<string, unknown>;
    if (typeof o.message === "string") {
      return { kind: typeof o.kind === "string" ? o.kind : "unknown", message: o.message };
    }
  }
  if (typeof err === "string") return { kind: "unknown", message: err };
  return { kind: "unknown", message: "Something went wrong." };
}

const tauriBackend: Backend = {
  engineStatus: () => invoke<EngineStatus>("engine_status"),
  recentEvents: (limit) => invoke<StoredEvent[]>("recent_events", { limit }),
  onStatus: (handler) => listen<EngineStatus>("engine-status", (e) => handler(e.payload)),
  onEvent: (handler) => listen<StoredEvent>("engine-event", (e) => handler(e.payload)),
  eventDetail: (id) => invoke<StoredEvent | null>("event_detail", { id }),
  deliveryAttempts: (limit) => invoke<AttemptRow[]>("delivery_attempts", { limit }),
  redeliver: (target) => invoke<number>("redeliver", { target }),
  onOpenEvent: (handler) => listen<number | null>("open-event", (e) => handler(e.payload)),
};

/** True inside the Tauri webview. */
export function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

/** The real backend in the app; the mock (loaded only then) in a plain browser. */
export async function connect(): Promise<Backend> {
  if (inTauri()) return tauriBackend;
  const { createMockBackend } = await import("./mock");
  return createMockBackend();
}
