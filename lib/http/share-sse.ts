// A shared conversation's event stream for its viewers (docs/PROTOCOL.md
// §3.7): `changed` when they should fetch the conversation again (at the
// start too: whatever changed since their copy), `revoked` when the link is
// gone, and a comment line every SSE_KEEPALIVE_MS. No ids: a reconnecting
// viewer fetches the conversation again instead of replaying.
import { MOVED, type ShareWatch } from "../share/watch";
import { AppError } from "../errors";
import { SSE_HEADERS } from "./sse";

const encoder = new TextEncoder();
const CHANGED = encoder.encode("event: changed\ndata: {}\n\n");
const REVOKED = encoder.encode("event: revoked\ndata: {}\n\n");
/** A viewer that stops reading is dropped (it reconnects and refetches). */
const MAX_QUEUED_BYTES = 64 * 1024;

export function shareEventsResponse(
  keepAliveMs: number,
  /** Watches the link (lib/share/watch.ts watchLink); throws 404 when it no longer opens the conversation. */
  watchLink: (onChange: () => void) => Promise<ShareWatch>,
  /** Any of them aborted ends the stream (the request's, the instance's shutdown). */
  signals: AbortSignal[] = [],
): Response {
  let cleanup = () => {};
  const body = new ReadableStream<Uint8Array>(
    {
      async start(controller) {
        let closed = false;
        // Set once the watch is up; close() may run before.
        let watch: ShareWatch | undefined;
        let keepalive: ReturnType<typeof setInterval> | undefined;
        const close = () => {
          if (closed) return;
          closed = true;
          for (const s of signals) s.removeEventListener("abort", close);
          if (keepalive) clearInterval(keepalive);
          watch?.close();
          try {
            controller.close();
          } catch {
            /* already closed or cancelled */
          }
        };
        cleanup = close;
        const write = (bytes: Uint8Array) => {
          if (closed) return;
          controller.enqueue(bytes);
          if ((controller.desiredSize ?? 0) < -MAX_QUEUED_BYTES) close();
        };
        const revoked = () => {
          write(REVOKED);
          close();
        };
        if (signals.some((s) => s.aborted)) return close();
        for (const s of signals) s.addEventListener("abort", close, { once: true });
        try {
          watch = await watchLink(() => write(CHANGED));
        } catch (e) {
          // Gone: say so. Anything else (the database, the bus): end, and the viewer reconnects.
          return e instanceof AppError && e.code === "not_found" ? revoked() : close();
        }
        if (closed) return watch.close();
        // Moved to another owner: end without a word; the viewer's reconnect follows the new owner.
        const ended = () => (watch?.signal.reason === MOVED ? close() : revoked());
        if (watch.signal.aborted) return ended();
        watch.signal.addEventListener("abort", ended, { once: true });
        write(CHANGED);
        if (!closed) keepalive = setInterval(() => write(encoder.encode(": keep-alive\n\n")), keepAliveMs);
      },
      cancel() {
        cleanup();
      },
    },
    { highWaterMark: 16 * 1024, size: (chunk) => chunk.byteLength },
  );
  return new Response(body, { status: 200, headers: SSE_HEADERS });
}
