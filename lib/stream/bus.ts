// The live-stream seam: how numbered events of a reply reach every
// subscriber (the posting request, a reload, a second tab, another
// instance). Embedded: in-process (memory-bus.ts). Scaled: Redis (later).
import type { Message } from "../chat/types";
import type { StreamEvent } from "./events";

/** Where a new subscriber starts. */
export type Attach =
  /** Every event after the requested id is still held: here they are. */
  | { kind: "replay"; events: StreamEvent[] }
  /** Start from this state (the last event it includes is `id`). */
  | { kind: "snapshot"; message: Message; id: number }
  /** The bus holds nothing for this message: read it from the database. */
  | { kind: "unknown" };

export type Subscription = { start: Attach; close(): void };

export interface StreamBus {
  /** Begins a reply's log with its state as of event `id` (before generating). */
  open(message: Message, id: number): Promise<void>;
  /** Appends numbered events, in order; a `done` event ends the log. */
  publish(messageId: string, events: StreamEvent[]): void;
  /**
   * Events after `after` (or a snapshot when `after` is null or too old),
   * then every later event live through `onEvent`, exactly once, in order.
   * `onLost`, at most once: the bus missed live events it cannot read back
   * (its log is gone or unreadable); nothing follows, and the subscriber ends
   * without `done` so that its client resumes by id (docs/PROTOCOL.md §4.5).
   */
  subscribe(messageId: string, after: number | null, onEvent: (e: StreamEvent) => void, onLost?: () => void): Promise<Subscription>;
  /** Resolves when the bus can carry events (health checks). */
  ping(): Promise<void>;
}
