// The user-event seam, sibling of the live-stream bus (lib/stream/bus.ts):
// numbers each user's events and hands them to every subscriber of that user,
// on any instance. Embedded: in-process (memory-bus.ts). Scaled: Redis
// (redis-bus.ts). Each keeps a bounded recent log per user, with an expiry,
// so a reconnect by Last-Event-ID gets exactly what it missed.
import type { UserEvent, UserEventSink } from "./types";

/** Where a new subscriber starts. */
export type EventsStart =
  /** Every event after the requested id is still held: here they are, in order. */
  | { kind: "replay"; events: UserEvent[] }
  /** No usable id, or what followed it is no longer held: start from `id` (the latest) and refetch. */
  | { kind: "reset"; id: number };

export type EventsSubscription = { start: EventsStart; close(): void };

export interface UserEventBus extends UserEventSink {
  /** Events after `after` (or a reset), then every later event live through `onEvent`, exactly once, in order. */
  subscribe(userId: string, after: number | null, onEvent: (e: UserEvent) => void): Promise<EventsSubscription>;
  /** The user's latest event id (what a page rendered now includes). */
  latestId(userId: string): Promise<number>;
  close?(): Promise<void>;
}

/** Events kept per user for replay, and how long a user's log outlives its last event. */
export const EVENT_LOG_MAX = 500;
export const EVENT_LOG_TTL_MS = 60 * 60_000;
