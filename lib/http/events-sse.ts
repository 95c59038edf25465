// Serves a user's event stream (docs/PROTOCOL.md §4.8) as Server-Sent Events,
// with the framing of the reply streams (sse.ts): a start — the events
// missed since Last-Event-ID, or a `snapshot` / `reset` frame listing the
// replies generating now — then live events, and a comment line every
// SSE_KEEPALIVE_MS. A subscriber that stops reading is dropped past
// MAX_QUEUED_BYTES; it resumes by id.
import type { Db } from "../platform/db";
import type { UserEventBus, EventsSubscription } from "../events/bus";
import type { UserEvent } from "../events/types";
import { generatingReplies } from "../events/generating";
import { frame, SSE_HEADERS } from "./sse";

const MAX_QUEUED_BYTES = 1024 * 1024;
const encoder = new TextEncoder();

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
  let cleanup = () => {};
  const body = new ReadableStream<Uint8Array>(
    {
      async start(controller) {
        let closed = false;
        let lastSent = -1;
        let keepalive: ReturnType<typeof setInterval> | undefined;
        let sub: EventsSubscription | undefined = undefined; // set once the bus answers; close() may run before
        const close = () => {
          if (closed) return;
          closed = true;
          // A long-lived signal (shutdown) must not keep this stream reachable.
          for (const s of signals) s.removeEventListener("abort", close);
          if (keepalive) clearInterval(keepalive);
          sub?.close();
          try {
            controller.close();
          } catch {
            /* already closed or cancelled */
          }
        };
        cleanup = close;
        if (signals.some((s) => s.aborted)) return close();
        for (const s of signals) s.addEventListener("abort", close, { once: true });
        const write = (text: string) => {
          if (closed) return;
          controller.enqueue(encoder.encode(text));
          if ((controller.desiredSize ?? 0) < -MAX_QUEUED_BYTES) close();
        };
        const send = (e: UserEvent) => {
          if (e.id <= lastSent) return; // exactly once, in order
          lastSent = e.id;
          write(frame(e.id, e.event, e.data));
        };
        let held: UserEvent[] | null = [];
        const onLive = (e: UserEvent) => (held ? held.push(e) : send(e));
        sub = await deps.events.subscribe(userId, after ?? null, onLive);
        if (closed) return sub.close();
        const s = sub.start;
        if (s.kind === "replay") {
          lastSent = after ?? -1;
          for (const e of s.events) send(e);
        } else {
          const generating = await generatingReplies(deps.db, userId).catch((e) => {
            close();
            throw e;
          });
          write(frame(s.id, after === undefined ? "snapshot" : "reset", { generating }));
          lastSent = s.id;
        }
        const pending = held;
        held = null;
        for (const e of pending) send(e);
        if (!closed) keepalive = setInterval(() => write(": keep-alive\n\n"), deps.keepAliveMs);
      },
      cancel() {
        cleanup();
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
  return new Response(body, { status: 200, headers: SSE_HEADERS });
}
