// A shared conversation's event stream for its viewers (docs/PROTOCOL.md
// §3.7): `changed` when they should fetch the conversation again (at the
// start too: whatever changed since their copy), `revoked` when the link is
// gone, and a comment line every SSE_KEEPALIVE_MS. No ids: a reconnecting
// viewer fetches the conversation again instead of replaying.
import { MOVED, type ShareWatch } from "../share/watch";
import { AppError } from "../errors";
import { sseChannelResponse } from "./sse-channel";

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
  return sseChannelResponse({ maxQueuedBytes: MAX_QUEUED_BYTES, highWaterMark: 16 * 1024, signals }, async (ch) => {
    const revoked = () => {
      ch.write(REVOKED);
      ch.close();
    };
    let watch: ShareWatch;
    try {
      watch = await watchLink(() => ch.write(CHANGED));
    } catch (e) {
      // Gone: say so. Anything else (the database, the bus): end, and the viewer reconnects.
      return e instanceof AppError && e.code === "not_found" ? revoked() : ch.close();
    }
    ch.onClose(() => watch.close());
    if (ch.closed) return;
    // Moved to another owner: end without a word; the viewer's reconnect follows the new owner.
    const ended = () => (watch.signal.reason === MOVED ? ch.close() : revoked());
    if (watch.signal.aborted) return ended();
    watch.signal.addEventListener("abort", ended, { once: true });
    ch.write(CHANGED);
    ch.keepAlive(keepAliveMs);
  });
}
