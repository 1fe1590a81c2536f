// The live feed's rows without the DOM: newest first by id, capped, with a pause buffer. A
// row is a log, with every listener that matched it.
import type { StoredEvent } from "./bindings/StoredEvent";

/** A row's key: the stored event. */
export function rowKey(e: StoredEvent): string {
  return String(e.id);
}

/** The listeners of a row, as one line. */
export function listenerNames(e: StoredEvent): string {
  return e.listeners.join(", ");
}

/** What the view must do to its rows to match the model. */
export type FeedOp =
  | { type: "insert"; event: StoredEvent; beforeKey: string | null }
  | { type: "update"; event: StoredEvent }
  | { type: "remove"; key: string };

export class FeedModel {
  /** Visible rows, highest id (newest) first. */
  private rows: StoredEvent[] = [];
  /** Arrivals held back while paused, by row key (the latest version of each). */
  private buffer = new Map<string, StoredEvent>();
  private paused = false;
  /** New events that arrived while paused (the buffer itself is capped). */
  private held = 0;

  constructor(readonly maxRows = 500) {}

  get isPaused(): boolean {
    return this.paused;
  }

  /** New events that arrived while paused, to be shown on resume. */
  get bufferedCount(): number {
    return this.held;
  }

  get visible(): readonly StoredEvent[] {
    return this.rows;
  }

  /** Adds a new event or applies a change to a known one. */
  upsert(event: StoredEvent): FeedOp[] {
    const key = rowKey(event);
    const index = this.rows.findIndex((r) => r.id === event.id && rowKey(r) === key);
    if (index >= 0) {
      // Changing a shown row in place does not move the list, so it happens even when paused.
      this.rows[index] = event;
      return [{ type: "update", event }];
    }
    if (this.olderThanAllShown(event.id)) return [];
    if (this.paused) {
      if (!this.buffer.has(key)) this.held++;
      this.buffer.set(key, event);
      this.trimBuffer();
      return [];
    }
    return this.insert(event);
  }

  pause(): void {
    this.paused = true;
  }

  /** Shows everything buffered, in place, and lets the list move again. */
  resume(): FeedOp[] {
    this.paused = false;
    this.held = 0;
    const held = [...this.buffer.values()].sort((a, b) => a.id - b.id);
    this.buffer.clear();
    return held.flatMap((e) => this.upsert(e));
  }

  /** A full list has no room for an event older than its last row. */
  private olderThanAllShown(id: number): boolean {
    return this.rows.length >= this.maxRows && id < this.rows[this.rows.length - 1].id;
  }

  private insert(event: StoredEvent): FeedOp[] {
    let at = 0;
    // Rows of one event (one per listener) keep their arrival order.
    while (at < this.rows.length && this.rows[at].id >= event.id) at++;
    const beforeKey = at < this.rows.length ? rowKey(this.rows[at]) : null;
    this.rows.splice(at, 0, event);
    const ops: FeedOp[] = [{ type: "insert", event, beforeKey }];
    while (this.rows.length > this.maxRows) {
      const dropped = this.rows.pop();
      if (dropped) ops.push({ type: "remove", key: rowKey(dropped) });
    }
    return ops;
  }

  /** Only the newest `maxRows` buffered events could ever be shown. */
  private trimBuffer(): void {
    if (this.buffer.size <= this.maxRows * 2) return;
    const keep = [...this.buffer.values()].sort((a, b) => b.id - a.id).slice(0, this.maxRows);
    this.buffer = new Map(keep.map((e) => [rowKey(e), e]));
  }
}
