// Serves a user's event stream (docs/PROTOCOL.md §4.8) as Server-Sent Events,
// with the framing of the reply streams (sse.ts): a start — the events
// missed since Last-Event-ID, or a `snapshot` / `reset` frame listing the
// replies generating now — then live events, and a comment line every
// SSE_KEEPALIVE_MS. A subscriber that stops reading is dropped past
// MAX_QUEUED_BYTES; it resumes by id.
import type { Db } from "../platform/db";
import type { UserEventBus } from "../events/bus";
import type { UserEvent } from "../events/types";
import { generatingReplies } from "../events/generating";
import { frame } from "./sse";
import { sseChannelResponse } from "./sse-channel";

const MAX_QUEUED_BYTES = 1024 * 1024;

/**
 * `after`: the id the client asked to resume after; `undefined` when it sent
 * none (a `snapshot` starts the stream), `null` when what it sent is not an
 * id (answered like an id too old: `reset`).
 */
export function userEventsResponse(
  deps: { db: Db; events: UserEventBus; keepAliveMs: number },
  userId: string,
  after: number | null | undefined,
  /** Any of them aborted ends the stream (the request's, the instance's shutdown). */
  signals: AbortSignal[] = [],
): Response {
  return sseChannelResponse({ maxQueuedBytes: MAX_QUEUED_BYTES, highWaterMark: 64 * 1024, signals }, async (ch) => {
    let lastSent = -1;
    const send = (e: UserEvent) => {
      if (e.id <= lastSent) return; // exactly once, in order
      lastSent = e.id;
      ch.write(frame(e.id, e.event, e.data));
    };
    let held: UserEvent[] | null = [];
    const onLive = (e: UserEvent) => (held ? held.push(e) : send(e));
    const sub = await deps.events.subscribe(userId, after ?? null, onLive);
    ch.onClose(() => sub.close());
    if (ch.closed) return;
    const s = sub.start;
    if (s.kind === "replay") {
      lastSent = after ?? -1;
      for (const e of s.events) send(e);
    } else {
      const generating = await generatingReplies(deps.db, userId).catch((e) => {
        ch.close();
        throw e;
      });
      ch.write(frame(s.id, after === undefined ? "snapshot" : "reset", { generating }));
      lastSent = s.id;
    }
    const pending = held;
    held = null;
    for (const e of pending) send(e);
    ch.keepAlive(deps.keepAliveMs);
  });
}
