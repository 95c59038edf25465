// The body of a long-lived Server-Sent Events response that is not a reply
// stream (the user's events, a shared link's events): writes that drop a
// reader too far behind (it reconnects), a keep-alive comment, and one close
// that releases everything the stream holds, whether the client leaves, a
// signal aborts (the request, the instance's shutdown) or the stream ends
// itself. Reply streams (sse.ts) batch their frames and keep their own.
import { SSE_HEADERS } from "./sse";

export type SseChannel = {
  readonly closed: boolean;
  write(text: string | Uint8Array): void;
  /** Runs `fn` when the channel closes (at once if it has). */
  onClose(fn: () => void): void;
  /** A comment line every `ms` from now on, so proxies and clients see it alive. */
  keepAlive(ms: number): void;
  close(): void;
};

const encoder = new TextEncoder();
const KEEPALIVE = encoder.encode(": keep-alive\n\n");

export function sseChannelResponse(o: { maxQueuedBytes: number; highWaterMark: number; signals?: AbortSignal[] }, start: (ch: SseChannel) => Promise<void>): Response {
  const signals = o.signals ?? [];
  let cleanup = () => {};
  const body = new ReadableStream<Uint8Array>(
    {
      async start(controller) {
        let closed = false;
        const closers: (() => void)[] = [];
        let keepalive: ReturnType<typeof setInterval> | undefined;
        const close = () => {
          if (closed) return;
          closed = true;
          // A long-lived signal (shutdown) must not keep this stream reachable.
          for (const s of signals) s.removeEventListener("abort", close);
          if (keepalive) clearInterval(keepalive);
          for (const fn of closers) fn();
          try {
            controller.close();
          } catch {
            /* already closed or cancelled */
          }
        };
        const ch: SseChannel = {
          get closed() {
            return closed;
          },
          write(text) {
            if (closed) return;
            controller.enqueue(typeof text === "string" ? encoder.encode(text) : text);
            if ((controller.desiredSize ?? 0) < -o.maxQueuedBytes) close();
          },
          onClose(fn) {
            if (closed) fn();
            else closers.push(fn);
          },
          keepAlive(ms) {
            if (!closed && !keepalive) keepalive = setInterval(() => ch.write(KEEPALIVE), ms);
          },
          close,
        };
        cleanup = close;
        if (signals.some((s) => s.aborted)) return close();
        for (const s of signals) s.addEventListener("abort", close, { once: true });
        await start(ch);
      },
      cancel() {
        cleanup();
      },
    },
    { highWaterMark: o.highWaterMark, size: (chunk) => chunk.byteLength },
  );
  return new Response(body, { status: 200, headers: SSE_HEADERS });
}
