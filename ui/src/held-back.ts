// Why a delivery target's messages wait on purpose, in words: the pop-up limit or quiet hours, and when they go out.
import type { HeldBack } from "./bindings/HeldBack";
import type { HoldReason } from "./bindings/HoldReason";

function pad2(n: number): string {
  return n < 10 ? `0${String(n)}` : String(n);
}

/** Minutes of the day as "07:00". */
function clock(minute: number): string {
  return `${pad2(Math.floor(minute / 60) % 24)}:${pad2(minute % 60)}`;
}

/** A window of seconds as "minute", "5 minutes", "hour", "90 s". */
function per(seconds: number): string {
  if (seconds > 0 && seconds % 3600 === 0) return seconds === 3600 ? "hour" : `${String(seconds / 3600)} hours`;
  if (seconds > 0 && seconds % 60 === 0) return seconds === 60 ? "minute" : `${String(seconds / 60)} minutes`;
  return `${String(seconds)} s`;
}

/** When the next go out: "now", "in 40 s", "in 3 min", or the local time of day. */
export function goesOut(untilMs: number, nowMs: number): string {
  const secs = Math.ceil((untilMs - nowMs) / 1000);
  if (secs <= 0) return "now";
  if (secs < 90) return `in ${String(secs)} s`;
  if (secs < 3600) return `in ${String(Math.ceil(secs / 60))} min`;
  const at = new Date(untilMs);
  return `at ${pad2(at.getHours())}:${pad2(at.getMinutes())}`;
}

/** What the waiting messages wait for: "for the pop-up limit", "for quiet hours to end". */
export function waitingFor(reason: HoldReason): string {
  return reason.kind === "burstLimit" ? "for the pop-up limit" : "for quiet hours to end";
}

/** The rule that holds them and when they go out, as a sentence. */
export function heldBackText(held: HeldBack, nowMs: number = Date.now()): string {
  const r = held.reason;
  if (r.kind === "burstLimit") {
    const n = r.burst === 1 ? "1 pop-up" : `${String(r.burst)} pop-ups`;
    return `At most ${n} per ${per(r.seconds)}, then one summary for the rest: the next go out ${goesOut(held.untilMs, nowMs)}.`;
  }
  return `Quiet hours (${clock(r.start)}–${clock(r.end)}): no pop-ups until ${clock(r.end)}, then what waits goes out, summarised.`;
}
