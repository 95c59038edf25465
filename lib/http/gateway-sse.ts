// Serves a gateway reply as the Messages API's event stream (docs/GATEWAY.md):
// the reply's log read from its start and translated (lib/gateway/wire.ts),
// so a reader that names the last frame it had (Last-Event-ID) gets exactly
// the frames after it. When the log no longer holds the reply's start (it
// ended a while ago, or was resumed after a crash), the stream starts over
// from the saved state with a new message_start (`tether-resume: restart`).
// The request going away never stops the generation.
import type { Db } from "../platform/db";
import { toMessage } from "../chat/conversations";
import type { StreamBus } from "../stream/bus";
import { subscribeOnceOpen } from "../stream/await-open";
import type { StreamEvent } from "../stream/events";
import { isGenerating } from "../reply/status";
import { AppError } from "../errors";
import { metrics } from "../platform/metrics";
import { apiMessageId, isAfter, WireTranslator, type FramePos, type WireFrame } from "../gateway/wire";
import { SSE_HEADERS } from "./sse";
import { sseChannelResponse } from "./sse-channel";

const MAX_QUEUED_BYTES = 4 * 1024 * 1024;
const encoder = new TextEncoder();
const PING = encoder.encode(`event: ping\ndata: {"type":"ping"}\n\n`);

const encode = (f: WireFrame) => encoder.encode(`id: ${f.id}\nevent: ${f.event}\ndata: ${JSON.stringify(f.data)}\n\n`);
const ends = (f: WireFrame) => f.event === "message_stop" || f.event === "error";

export type GatewayStreamDeps = { db: Db; bus: StreamBus; keepAliveMs: number };

/** `after`: the reader's Last-Event-ID (null: from the start). `model`: what message_start names until the reply says. */
export async function gatewaySse(
  deps: GatewayStreamDeps,
  messageId: string,
  o: { model: string; after: FramePos | null; headers?: Record<string, string> },
  signal?: AbortSignal,
): Promise<Response> {
  const translator = new WireTranslator({ id: apiMessageId(messageId), model: o.model });
  let held: StreamEvent[] | null = [];
  let live: ((e: StreamEvent) => void) | null = null;
  const onEvent = (e: StreamEvent) => (held ? held.push(e) : live?.(e));
  // The bus lost events it cannot give back: the stream ends without message_stop, and the reader resumes by id.
  let lost = false;
  let end: () => void = () => (lost = true);
  // From the log's start (a gateway reply's log begins at event 0), so every frame can be named again.
  const { subscription, stored } = await subscribeOnceOpen(
    deps,
    messageId,
    0,
    onEvent,
    () => !!signal?.aborted,
    () => end(),
  );
  const start = subscription.start;
  let first: WireFrame[];
  let lastId = 0;
  if (start.kind === "replay") {
    first = [];
    for (const e of start.events) first.push(...translator.event(e));
    lastId = start.events.at(-1)?.id ?? 0;
  } else if (start.kind === "snapshot") {
    first = translator.begin(start.id, { message: start.message, final: !isGenerating(start.message.status) });
    lastId = start.id;
  } else {
    subscription.close();
    if (!stored) throw new AppError("not_found", "message not found");
    first = translator.begin(stored.seq, { message: toMessage(stored), final: true });
  }
  const exact = start.kind === "replay";
  // Starting over, the reader gets everything; otherwise only what follows its last frame.
  let sentPos: FramePos | null = exact ? o.after : null;
  const headers = { ...SSE_HEADERS, ...o.headers, "tether-resume": exact || o.after === null ? "exact" : "restart" };

  if (signal?.aborted) subscription.close(); // the channel will not start: nothing else would release it
  // The channel's plumbing (a reader too far behind dropped, keep-alive, one close) is the user events' (sse-channel.ts).
  const res = sseChannelResponse({ maxQueuedBytes: MAX_QUEUED_BYTES, highWaterMark: 64 * 1024, signals: signal ? [signal] : [] }, async (ch) => {
    metrics.sseSubscribers.inc();
    ch.onClose(() => {
      metrics.sseSubscribers.dec();
      subscription.close();
    });
    const write = (frames: WireFrame[]) => {
      const out: Uint8Array[] = [];
      let last: WireFrame | undefined;
      for (const f of frames) {
        const pos = parsePos(f.id);
        if (sentPos && !isAfter(pos, sentPos)) continue; // exactly once, in order
        sentPos = pos;
        out.push(encode(f));
        last = f;
      }
      if (out.length) ch.write(out.length === 1 ? out[0] : new Uint8Array(Buffer.concat(out)));
      if (last && ends(last)) ch.close();
    };
    // The headers (the reply's id) and a first byte go out at once, before Claude answers.
    ch.write(PING);
    write(first);
    if (ch.closed || lost || start.kind === "unknown") return ch.close();
    end = () => ch.close();
    live = (e) => {
      if (e.id <= lastId) return;
      lastId = e.id;
      write(translator.event(e));
    };
    const pending = held ?? [];
    held = null;
    for (const e of pending) live(e);
    ch.keepAlive(deps.keepAliveMs);
  });
  for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
  return res;
}

function parsePos(id: string): FramePos {
  const [seq, k] = id.split(".");
  return { seq: Number(seq), k: k === undefined ? 0 : Number(k) };
}
