// The benchmark's clients: the SDK reading the fake directly (the baseline),
// the bare relay's clients (bench/relay-server.ts, the second baseline), and
// HTTP+SSE clients of the app — posting a message and reading its stream, or
// posting on one instance and following the reply on another by id.
import Anthropic from "@anthropic-ai/sdk";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { now, remaining } from "./proc";
import { sseRequest, type Counted } from "./sse-request";

export type StreamResult = {
  key: string;
  t0: number; // request sent (our clock)
  tStart?: number; // first frame (the snapshot) arrived: admission and stream set-up done
  tFirst?: number; // first text delta arrived
  tEnd?: number;
  arrivals: number[]; // flat pairs: time, text length so far
  deltaEvents: number;
  reads: number; // network reads (chunks) that carried the stream
  /** Bytes of the SSE body on the wire (gzip when the server sent it), and decoded. */
  wireBytes: number;
  sseBytes: number;
  text: string;
  finalStatus?: string;
  finalContent?: string;
  messageId?: string;
  metadata?: Record<string, unknown>;
  /** Id of the last numbered event read, and frames whose id did not follow the previous one. */
  lastId?: number;
  idErrors: number;
  /** Followers: when the stream was re-opened on the other instance (deltas sent before it were replayed, not live). */
  followAt?: number;
  /** Followers: when the first frame on the other instance arrived (the reader is attached there from then on). */
  attachedAt?: number;
  /** Each frame read, as "id event +text length" ("|" where a follower re-attached): shown when a reply is wrong. */
  trace: string[];
  error?: string;
};

export function newResult(key: string): StreamResult {
  return { key, t0: now(), arrivals: [], deltaEvents: 0, reads: 0, wireBytes: 0, sseBytes: 0, text: "", idErrors: 0, trace: [] };
}

/** The SDK reading the fake directly (the baseline). */
export async function directStream(client: Anthropic, key: string): Promise<StreamResult> {
  const r = newResult(key);
  try {
    const stream = client.messages.stream(
      { model: "claude-bench", max_tokens: 4096, messages: [{ role: "user", content: key }] },
      { signal: AbortSignal.timeout(remaining()) },
    );
    for await (const ev of stream) {
      const t = now();
      if (ev.type === "content_block_delta" && ev.delta.type === "text_delta") {
        r.deltaEvents++;
        r.text += ev.delta.text;
        r.tFirst ??= t;
        r.arrivals.push(t, r.text.length);
      }
    }
    const final = await stream.finalMessage();
    r.tEnd = now();
    r.finalStatus = final.stop_reason === "end_turn" ? "complete" : String(final.stop_reason);
    r.finalContent = final.content.map((b) => (b.type === "text" ? b.text : "")).join("");
  } catch (e) {
    r.error = String(e);
  }
  return r;
}

export type Guest = { cookie: string; conversationId: string };

/**
 * A guest of its own with one conversation. A `title` locks the conversation's
 * name, so that no title generation (a second upstream request) follows the reply.
 */
export async function newGuest(base: string, title?: string): Promise<Guest> {
  const res = await fetch(`${base}/api/auth/guest`, { method: "POST" });
  if (res.status !== 201) throw new Error(`guest: HTTP ${res.status}`);
  const cookie = res.headers.get("set-cookie")!.split(";")[0];
  const conv = await fetch(`${base}/api/conversations`, {
    method: "POST",
    headers: { cookie, "content-type": "application/json" },
    body: JSON.stringify(title ? { title } : {}),
  });
  if (conv.status !== 201) throw new Error(`conversation: HTTP ${conv.status}`);
  return { cookie, conversationId: ((await conv.json()) as { id: string }).id };
}

let stallMs = 60_000;
/** A stream with no event (keep-alive comments do not count) for this long is given up as failed. */
export function setStallTimeout(ms: number) {
  stallMs = ms;
}

/** Parser state that survives re-opening the stream elsewhere: which parts are text. */
type TextState = { textParts: Set<number>; firstFrame: boolean; after?: number };

/**
 * Reads an SSE response of the app into `r`, rebuilding the text from the last
 * snapshot plus the text deltas after it (docs/PROTOCOL.md §4). Stops early,
 * cancelling the body, once `until()` holds after a network read.
 */
async function readAppSse({ res, wireBytes }: Counted, r: StreamResult, st: TextState, until?: () => boolean): Promise<void> {
  let t = now();
  let lastEvent = t;
  const parser = createParser({
    onEvent(m: EventSourceMessage) {
      lastEvent = t;
      r.tStart ??= t;
      const data = JSON.parse(m.data);
      if (m.id !== undefined && m.id !== "") {
        const id = Number(m.id);
        // Ids follow each other; a resumed stream's first numbered event follows `after`.
        const expected = st.firstFrame ? (m.event === "snapshot" ? undefined : st.after !== undefined ? st.after + 1 : undefined) : (r.lastId ?? -1) + 1;
        if (expected !== undefined && id !== expected) r.idErrors++;
        r.lastId = id;
      }
      if (st.firstFrame && st.after !== undefined) r.attachedAt = t;
      st.firstFrame = false;
      r.trace.push(`${m.id ?? ""} ${m.event}${typeof data.text === "string" ? ` +${data.text.length}` : ""}`);
      switch (m.event) {
        case "snapshot":
          r.text = data.message.content;
          r.messageId = data.message.id;
          st.textParts = new Set((data.message.parts as { type: string }[]).flatMap((p, i) => (p.type === "text" ? [i] : [])));
          break;
        case "part_start":
          if (data.part.type === "text") st.textParts.add(data.index);
          break;
        case "delta":
          r.deltaEvents++;
          if ("text" in data && st.textParts.has(data.index)) {
            r.text += data.text;
            r.tFirst ??= t;
            r.arrivals.push(t, r.text.length);
          }
          break;
        case "error":
          r.error = `error event: ${m.data}`;
          break;
        case "done":
          r.tEnd = t;
          r.finalStatus = data.message.status;
          r.finalContent = data.message.content;
          r.metadata = data.message.metadata;
          break;
      }
    },
  });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  // A reply whose events stop (lost on the way) must fail the run, not hang it.
  const watchdog = setInterval(() => {
    if (now() - lastEvent < stallMs) return;
    r.error ??= `stalled: no event for ${stallMs / 1000} s after id ${r.lastId}`;
    void reader.cancel().catch(() => {});
  }, 1000);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      t = now();
      r.reads++;
      r.sseBytes += Buffer.byteLength(value);
      parser.feed(value);
      if (until?.()) {
        await reader.cancel().catch(() => {});
        return;
      }
    }
  } finally {
    clearInterval(watchdog);
    r.wireBytes += wireBytes();
  }
}

async function postMessage(base: string, g: Guest, key: string): Promise<Counted> {
  const counted = await sseRequest(`${base}/api/conversations/${g.conversationId}/messages`, {
    method: "POST",
    headers: { cookie: g.cookie, "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify({ content: key, stream: true }),
    signal: AbortSignal.timeout(remaining()),
  });
  const { res } = counted;
  if (res.status !== 200 || !res.headers.get("content-type")?.startsWith("text/event-stream")) {
    throw new Error(`POST message: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  }
  return counted;
}

/** One client of the app: POST a message and read its SSE stream to the end. */
export async function appStream(base: string, g: Guest, key: string): Promise<StreamResult> {
  const r = newResult(key);
  try {
    await readAppSse(await postMessage(base, g, key), r, { textParts: new Set(), firstFrame: true });
    if (!r.finalStatus) throw new Error("stream ended without a done event");
  } catch (e) {
    r.error ??= String(e);
  }
  return r;
}

/** One client of the bare relay (bench/relay-server.ts): its stream is framed as the app's. */
export async function relayStream(base: string, key: string): Promise<StreamResult> {
  const r = newResult(key);
  try {
    const counted = await sseRequest(`${base}/relay`, { method: "POST", body: JSON.stringify({ content: key }), signal: AbortSignal.timeout(remaining()) });
    if (counted.res.status !== 200) throw new Error(`POST relay: HTTP ${counted.res.status}`);
    await readAppSse(counted, r, { textParts: new Set(), firstFrame: true });
    if (!r.finalStatus) throw new Error("stream ended without a done event");
  } catch (e) {
    r.error ??= String(e);
  }
  return r;
}

/**
 * Clients over two instances: client i posts on instance i % 2, and a `share`
 * of each pair of clients follows its reply on the other instance (crossStream).
 */
export const followsElsewhere = (i: number, share: number) => Math.floor((Math.floor(i / 2) + 1) * share) > Math.floor(Math.floor(i / 2) * share);

/**
 * A client that moves: POST on `base`, read up to the first snapshot, drop
 * that connection and follow the reply on `other` by id from the last event
 * it saw (`GET /api/messages/:id/stream?after=N`), to the end.
 */
export async function crossStream(base: string, other: string, g: Guest, key: string): Promise<StreamResult> {
  const r = newResult(key);
  try {
    const st: TextState = { textParts: new Set(), firstFrame: true };
    await readAppSse(await postMessage(base, g, key), r, st, () => r.messageId !== undefined);
    if (!r.messageId || r.lastId === undefined) throw new Error("POST stream ended before its snapshot");
    if (!r.finalStatus) {
      const after = r.lastId;
      r.followAt = now();
      r.trace.push("|");
      const counted = await sseRequest(`${other}/api/messages/${r.messageId}/stream?after=${after}`, {
        headers: { cookie: g.cookie, accept: "text/event-stream" },
        signal: AbortSignal.timeout(remaining()),
      });
      if (counted.res.status !== 200) throw new Error(`GET stream: HTTP ${counted.res.status} ${(await counted.res.text()).slice(0, 300)}`);
      await readAppSse(counted, r, { ...st, firstFrame: true, after });
    }
    if (!r.finalStatus) throw new Error("stream ended without a done event");
  } catch (e) {
    r.error ??= String(e);
  }
  return r;
}
