import { describe, expect, it, vi } from "vitest";
import { openReplyStream, type ConnectionInfo, type ConnectionState } from "./stream";
import { applyEvent } from "../stream/reduce";
import type { StreamEvent } from "../stream/events";
import type { Message } from "../chat/types";
import { ApiError } from "./api";

const MSG_ID = "11111111-1111-4111-8111-111111111111";

function message(patch: Partial<Message> = {}): Message {
  return {
    id: MSG_ID,
    conversationId: "22222222-2222-4222-8222-222222222222",
    role: "assistant",
    content: "",
    parts: [],
    status: "pending",
    metadata: {},
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    ...patch,
  };
}

function frame(id: number, event: string, data: unknown): string {
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

// Tricky text: multi-byte UTF-8 (2, 3 and 4 bytes), and SSE syntax inside JSON strings.
const PIECES = ["Héllo ", "世界 ", "😀🎉", " data: x\n\nid: 99\nevent: done\n", "\r\n: not a comment", " ∑ end"];
const FULL = PIECES.join("");
const FINAL = message({ content: FULL, parts: [{ type: "text", text: FULL }], status: "complete" });

function replyFrames(): string[] {
  const frames = [frame(0, "snapshot", { message: message() }), frame(1, "status", { status: "streaming" })];
  frames.push(frame(2, "part_start", { index: 0, part: { type: "text", text: "" } }));
  PIECES.forEach((text, i) => frames.push(frame(3 + i, "delta", { index: 0, text })));
  const n = 3 + PIECES.length;
  frames.push(frame(n, "part_stop", { index: 0 }), frame(n + 1, "status", { status: "complete" }), frame(n + 2, "done", { message: FINAL }));
  return frames;
}

/** A Response whose body delivers `bytes` in chunks of `size` bytes (then optionally fails or hangs). */
function responseOf(bytes: Uint8Array, size: number, end: "close" | "error" | "hang" = "close", onCancel?: () => void): Response {
  let offset = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset < bytes.length) {
        controller.enqueue(bytes.slice(offset, offset + size));
        offset += size;
        return;
      }
      if (end === "close") controller.close();
      else if (end === "error") controller.error(new TypeError("network error"));
      else return new Promise(() => {}); // never answers again
    },
    cancel() {
      onCancel?.();
    },
  });
  return new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
}

const utf8 = (s: string) => new TextEncoder().encode(s);

async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const e of stream) out.push(e);
  return out;
}

function rebuild(events: StreamEvent[], start: Message = message()): Message {
  const pending = new Map<number, string>();
  return events.reduce((m, e) => applyEvent(m, e, pending), start);
}

/** The text of a message as rebuilt from text deltas only (not from the final snapshot). */
function textFromDeltas(events: StreamEvent[]): string {
  return events.map((e) => (e.event === "delta" && "text" in e.data ? e.data.text : "")).join("");
}

describe("openReplyStream", () => {
  const wire = utf8(replyFrames().join(""));

  it.each([1, 2, 3, 5, 7, 13, 64, wire.length])("parses every event intact with %i-byte chunks", async (size) => {
    const stream = openReplyStream(responseOf(wire, size));
    const events = await collect(stream);
    expect(events.map((e) => e.event)).toEqual(["snapshot", "status", "part_start", ...PIECES.map(() => "delta"), "part_stop", "status", "done"]);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i));
    expect(textFromDeltas(events)).toBe(FULL);
    expect(rebuild(events.slice(0, -1)).content).toBe(FULL);
    expect(await stream.final).toEqual(FINAL);
    expect(stream.lastEventId).toBe(events.length - 1);
    expect(stream.messageId).toBe(MSG_ID);
  });

  it("decodes a 4-byte character split across three chunks", async () => {
    const bytes = utf8(frame(1, "delta", { index: 0, text: "😀" }) + frame(2, "done", { message: FINAL }));
    const at = bytes.indexOf(0xf0);
    const parts = [bytes.slice(0, at + 1), bytes.slice(at + 1, at + 3), bytes.slice(at + 3)];
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        parts.forEach((p) => c.enqueue(p));
        c.close();
      },
    });
    const events = await collect(openReplyStream(new Response(body), { messageId: MSG_ID }));
    expect(events[0]).toEqual({ id: 1, event: "delta", data: { index: 0, text: "😀" } });
  });

  it("calls onEvent synchronously and also serves the final promise to non-iterating callers", async () => {
    const seen: string[] = [];
    const stream = openReplyStream(responseOf(wire, 9), { onEvent: (e) => seen.push(e.event) });
    expect(await stream.final).toEqual(FINAL);
    expect(seen.at(-1)).toBe("done");
  });

  it("rejects a refused POST with the server's error", async () => {
    const res = new Response(JSON.stringify({ error: { code: "generation_in_progress", message: "busy here" } }), {
      status: 409,
      headers: { "content-type": "application/json" },
    });
    const stream = openReplyStream(res);
    await expect(stream.final).rejects.toMatchObject({ status: 409, code: "generation_in_progress", message: "busy here" });
    await expect(collect(stream)).rejects.toBeInstanceOf(ApiError);
  });

  it("abort() ends iteration, cancels the body and rejects final", async () => {
    const cancelled = vi.fn();
    const first = utf8(replyFrames().slice(0, 3).join(""));
    const stream = openReplyStream(responseOf(first, 4, "hang", cancelled));
    const events: StreamEvent[] = [];
    for await (const e of stream) {
      events.push(e);
      if (e.event === "part_start") stream.abort();
    }
    expect(events.map((e) => e.event)).toEqual(["snapshot", "status", "part_start"]);
    await expect(stream.final).rejects.toMatchObject({ name: "AbortError" });
    await vi.waitFor(() => expect(cancelled).toHaveBeenCalled());
  });

  it("resumes a dropped connection with ?after=<last event id>, without gaps or duplicates", async () => {
    const frames = replyFrames();
    // The first connection dies inside the JSON of frame 6 (its text has `data:` and `id:` in it).
    const firstText = frames.slice(0, 6).join("") + frames[6].slice(0, frames[6].length - 6);
    const states: Array<[ConnectionState, ConnectionInfo]> = [];
    const urls: string[] = [];
    const fetchMock = vi.fn(async (url: RequestInfo | URL) => {
      urls.push(String(url));
      // The server replays from 5 (one event we already have) and goes on.
      return responseOf(utf8(frames.slice(5).join("")), 11);
    });
    const stream = openReplyStream(responseOf(utf8(firstText), 7, "error"), {
      fetch: fetchMock as unknown as typeof fetch,
      baseDelayMs: 1,
      onState: (s, info) => states.push([s, info]),
    });
    const events = await collect(stream);
    expect(urls).toEqual([`/api/messages/${MSG_ID}/stream?after=5`]);
    expect(states.map(([s]) => s)).toEqual(["reconnecting", "reconnected"]);
    expect(events.map((e) => e.id)).toEqual(frames.map((_, i) => i));
    expect(textFromDeltas(events)).toBe(FULL);
    expect(await stream.final).toEqual(FINAL);
  });

  it("resumes after a clean end without `done`, and accepts a snapshot as the resume answer", async () => {
    const frames = replyFrames();
    const urls: string[] = [];
    const snapshot = message({ status: "streaming", content: "Héllo ", parts: [{ type: "text", text: "Héllo " }] });
    const fetchMock = vi.fn(async (url: RequestInfo | URL) => {
      urls.push(String(url));
      return responseOf(utf8(frame(3, "snapshot", { message: snapshot }) + frames.slice(4).join("")), 50);
    });
    const stream = openReplyStream(responseOf(utf8(frames.slice(0, 2).join("")), 50, "close"), {
      fetch: fetchMock as unknown as typeof fetch,
      baseDelayMs: 1,
    });
    const events = await collect(stream);
    expect(urls).toEqual([`/api/messages/${MSG_ID}/stream?after=1`]);
    expect(rebuild(events.slice(0, -1)).content).toBe(FULL);
  });

  it("backs off exponentially while the server is unreachable", async () => {
    const frames = replyFrames();
    const delays: number[] = [];
    let calls = 0;
    const fetchMock = vi.fn(async () => {
      calls += 1;
      if (calls <= 3) throw new TypeError("Failed to fetch");
      if (calls === 4) return new Response("busy", { status: 503 });
      return responseOf(utf8(frames.slice(3).join("")), 64);
    });
    const stream = openReplyStream(responseOf(utf8(frames.slice(0, 3).join("")), 64, "error"), {
      fetch: fetchMock as unknown as typeof fetch,
      baseDelayMs: 2,
      maxDelayMs: 10,
      onState: (s, info) => s === "reconnecting" && delays.push(info.delayMs!),
    });
    expect(await stream.final).toEqual(FINAL);
    expect(delays).toEqual([2, 4, 8, 10, 10]);
  });

  it("gives up after maxAttempts and on a non-retryable answer", async () => {
    const frames = replyFrames();
    const unreachable = openReplyStream(responseOf(utf8(frames.slice(0, 2).join("")), 64, "error"), {
      fetch: (async () => {
        throw new TypeError("Failed to fetch");
      }) as unknown as typeof fetch,
      baseDelayMs: 1,
      maxAttempts: 2,
    });
    await expect(unreachable.final).rejects.toBeInstanceOf(TypeError);

    const gone = openReplyStream(responseOf(utf8(frames.slice(0, 2).join("")), 64, "error"), {
      fetch: (async () => new Response(JSON.stringify({ error: { code: "not_found", message: "message not found" } }), { status: 404 })) as unknown as typeof fetch,
      baseDelayMs: 1,
    });
    await expect(gone.final).rejects.toMatchObject({ status: 404, code: "not_found" });
  });

  it("attaches with a request function and a known resume point", async () => {
    const frames = replyFrames();
    const urls: string[] = [];
    const fetchMock = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
      urls.push(String(url));
      expect(init?.signal).toBeInstanceOf(AbortSignal);
      return responseOf(utf8(frames.slice(8).join("")), 64);
    });
    const stream = openReplyStream((signal) => fetchMock(`/api/messages/${MSG_ID}/stream?after=7`, { signal }), {
      messageId: MSG_ID,
      after: 7,
    });
    const events = await collect(stream);
    expect(events[0].id).toBe(8);
    expect(urls).toEqual([`/api/messages/${MSG_ID}/stream?after=7`]);
    // Events at or below the resume point are never delivered twice.
    const dup = openReplyStream(responseOf(utf8(frames.slice(6).join("")), 64), { messageId: MSG_ID, after: 7 });
    expect((await collect(dup)).map((e) => e.id)).toEqual(frames.slice(8).map((_, i) => i + 8));
  });

  it("treats a silent connection as dropped after the idle timeout", async () => {
    const frames = replyFrames();
    const fetchMock = vi.fn(async () => responseOf(utf8(frames.slice(2).join("")), 64));
    const stream = openReplyStream(responseOf(utf8(frames.slice(0, 2).join("")), 64, "hang"), {
      fetch: fetchMock as unknown as typeof fetch,
      idleTimeoutMs: 30,
      baseDelayMs: 1,
    });
    expect(await stream.final).toEqual(FINAL);
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });
});
