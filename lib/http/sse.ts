// Serves one reply as Server-Sent Events (docs/PROTOCOL.md §4): a start (replayed events
// or a snapshot), then live events until `done`. Frames are batched per
// macrotask. A subscriber that stops reading is dropped once its queue passes
// MAX_QUEUED_BYTES: the generation never waits for it, and the client resumes
// by event id. The request going away never stops the generation.
import type { Db } from "../platform/db";
import { toMessage } from "../chat/conversations";
import type { StreamBus, Subscription } from "../stream/bus";
import { subscribeOnceOpen } from "../stream/await-open";
import type { StreamEvent, StreamEventMap, StreamView } from "../stream/events";
import type { Message } from "../chat/types";
import { metrics } from "../platform/metrics";

const MAX_QUEUED_BYTES = 4 * 1024 * 1024;
const encoder = new TextEncoder();

/** Every SSE response's headers: never cached or transformed, never buffered by a proxy. */
export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  "x-accel-buffering": "no",
} as const;

export function frame(id: number, event: string, data: unknown): string {
  // JSON.stringify escapes CR and LF, so text can never break out of `data:`.
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

// The buses hand every subscriber of an instance the same event object: its
// frame is encoded once and the same bytes are queued to each of them.
const encoded = new WeakMap<StreamEvent, Uint8Array>();

/** The UTF-8 bytes of a numbered event's frame, encoded on first use. */
export function encodedFrame(e: StreamEvent): Uint8Array {
  let bytes = encoded.get(e);
  if (!bytes) {
    bytes = encoder.encode(frame(e.id, e.event, e.data));
    encoded.set(e, bytes);
  }
  return bytes;
}

/** Where a resuming reader starts: `Last-Event-ID` wins over `?after=`; anything but a whole number is unusable (null). */
export function resumeAfter(req: Request): number | null {
  const raw = req.headers.get("last-event-id") ?? new URL(req.url).searchParams.get("after");
  if (raw === null || !/^\d{1,15}$/.test(raw.trim())) return null;
  return Number(raw.trim());
}

export type StreamStart = { kind: "post"; snapshot: Message; snapshotId: number; userMessage?: Message } | { kind: "resume"; after: number | null };

/** An event as `view` shows it. */
function viewed(view: StreamView, e: StreamEvent): StreamEvent {
  if (e.event === "snapshot" || e.event === "done") return { ...e, data: { message: view.present(e.data.message) } };
  return view.event?.(e) ?? e;
}

export function sseResponse(
  /** `keepAliveMs`: SSE_KEEPALIVE_MS, the longest an idle stream goes without a comment line. */
  deps: { db: Db; bus: StreamBus; keepAliveMs: number },
  messageId: string,
  start: StreamStart,
  signal?: AbortSignal,
  view?: StreamView,
): Response {
  const shown = (m: Message) => (view ? view.present(m) : m);
  let viewClosed = false;
  const closeView = () => {
    if (!viewClosed) view?.onClose?.();
    viewClosed = true;
  };
  let cleanup = () => {};
  const body = new ReadableStream<Uint8Array>(
    {
      async start(controller) {
        let closed = false;
        let lastSent = -1;
        let batch: Uint8Array[] = [];
        let batchBytes = 0;
        let flushScheduled = false;
        let keepalive: ReturnType<typeof setInterval> | undefined;
        let sub: Subscription | undefined = undefined; // set once the bus answers; close() may run before
        // Open streams (a gauge): counted down once, on close or a failed start.
        let counted = true;
        metrics.sseSubscribers.inc();
        const uncount = () => {
          if (counted) metrics.sseSubscribers.dec();
          counted = false;
        };
        const failStart = (e: unknown): never => {
          uncount();
          closeView();
          throw e;
        };
        const close = () => {
          if (closed) return;
          closed = true;
          uncount();
          closeView();
          if (keepalive) clearInterval(keepalive);
          sub?.close();
          try {
            controller.close();
          } catch {
            /* already closed or cancelled */
          }
        };
        cleanup = close;
        if (signal?.aborted) close();
        else signal?.addEventListener("abort", close, { once: true });
        const flush = () => {
          flushScheduled = false;
          if (closed || batch.length === 0) return;
          const chunk = batch.length === 1 ? batch[0] : Buffer.concat(batch, batchBytes);
          batch = [];
          batchBytes = 0;
          controller.enqueue(chunk);
          if ((controller.desiredSize ?? 0) < -MAX_QUEUED_BYTES) close();
        };
        const write = (text: string | Uint8Array, now = false) => {
          if (closed) return;
          const bytes = typeof text === "string" ? encoder.encode(text) : text;
          batch.push(bytes);
          batchBytes += bytes.byteLength;
          if (now) flush();
          else if (!flushScheduled) {
            flushScheduled = true;
            setImmediate(flush);
          }
        };
        const send = (e: StreamEvent) => {
          if (e.id <= lastSent) return; // exactly once, in order
          lastSent = e.id;
          // The owner's frames are encoded once for all of them; a viewer's changed ones are its own.
          const out = view ? viewed(view, e) : e;
          write(out === e ? encodedFrame(e) : frame(out.id, out.event, out.data));
          if (e.event === "done") {
            flush();
            close();
          }
        };
        // Live events may arrive while the start is being written: hold them.
        let held: StreamEvent[] | null = [];
        const onLive = (e: StreamEvent) => (held ? held.push(e) : send(e));

        const after = start.kind === "post" ? start.snapshotId : start.after;
        // A reply admitted a moment ago may not be on the bus yet: wait for it, briefly.
        // The bus lost events it cannot give back: end without `done`, and the client resumes by id (PROTOCOL §4.5).
        const onLost = () => {
          flush();
          close();
        };
        const { subscription, stored } = await subscribeOnceOpen(deps, messageId, after, onLive, () => closed, onLost).catch(failStart);
        sub = subscription;
        if (closed) return subscription.close();
        if (start.kind === "post") {
          const data: StreamEventMap["snapshot"] = { message: start.snapshot, ...(start.userMessage ? { userMessage: start.userMessage } : {}) };
          write(frame(start.snapshotId, "snapshot", data));
          lastSent = start.snapshotId;
        }
        const s = subscription.start;
        if (s.kind === "replay") {
          if (start.kind === "resume" && start.after !== null) lastSent = Math.max(lastSent, start.after);
          for (const e of s.events) send(e);
        } else if (s.kind === "snapshot") {
          // After a POST's own snapshot this is numbered and resets the client.
          write(frame(s.id, "snapshot", { message: shown(s.message) }));
          lastSent = s.id;
        } else {
          // Nothing live: the stored message is final (or its process is gone).
          const row = stored;
          if (row) {
            const message = shown(toMessage(row));
            if (start.kind === "resume") write(frame(row.seq, "snapshot", { message }));
            write(frame(row.seq, "done", { message }), true);
          }
          held = null;
          flush();
          return close();
        }
        const pending = held;
        held = null;
        for (const e of pending) send(e);
        flush();
        if (!closed) keepalive = setInterval(() => write(": keep-alive\n\n", true), deps.keepAliveMs);
      },
      cancel() {
        cleanup();
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
  return new Response(body, { status: 200, headers: SSE_HEADERS });
}
