// Each way a stream can start (docs/PROTOCOL.md §4): after a POST, a resume
// with replay, a resume from a snapshot, and a reply the bus no longer holds.
// A scripted StreamBus stands in for the seam so each start is exact.
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Attach, StreamBus, Subscription } from "../stream/bus";
import type { StreamEvent } from "../stream/events";
import type { Message } from "../chat/types";
import type { Db } from "../platform/db";
import { metrics } from "../platform/metrics";
import { readSse } from "../testing/route-client";
import { frame, sseResponse } from "./sse";
import type { StreamView } from "../stream/events";

const now = new Date("2026-12-04T10:00:00.000Z");
function msg(id: string, over: Partial<Message> = {}): Message {
  return {
    id,
    conversationId: "c1",
    role: "assistant",
    content: "",
    parts: [],
    status: "pending",
    metadata: {},
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    ...over,
  };
}
const delta = (id: number, text: string): StreamEvent => ({ id, event: "delta", data: { index: 0, text } });
const done = (id: number, message: Message): StreamEvent => ({ id, event: "done", data: { message } });

/** A bus whose subscribe answers `start`; `live` receives the subscriber, `during` runs before the answer. */
function scriptedBus(start: Attach, during?: (emit: (e: StreamEvent) => void) => void) {
  const calls: { after: number | null }[] = [];
  let emit: (e: StreamEvent) => void = () => {};
  let closed = 0;
  const bus: StreamBus = {
    async open() {},
    publish() {},
    async ping() {},
    async subscribe(_id, after, onEvent): Promise<Subscription> {
      calls.push({ after });
      emit = onEvent;
      during?.(onEvent);
      return { start, close: () => void closed++ };
    },
  };
  return { bus, calls, emit: (e: StreamEvent) => emit(e), closedCount: () => closed };
}

const noDb = {} as Db;
const gauge = async () => (await metrics.sseSubscribers.get()).values.reduce((n, v) => n + v.value, 0);

afterEach(() => vi.useRealTimers());

describe("sseResponse starts", () => {
  it("serves SSE headers that no proxy buffers or transforms", () => {
    const { bus } = scriptedBus({ kind: "replay", events: [] });
    const res = sseResponse({ db: noDb, bus, keepAliveMs: 1000 }, "m", { kind: "resume", after: 0 });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache, no-transform");
    expect(res.headers.get("x-accel-buffering")).toBe("no");
    expect(res.headers.get("connection")).toBe("keep-alive");
    void res.body!.cancel();
  });

  it("after a POST: the snapshot with the user message first, then only events after it, exactly once", async () => {
    const id = randomUUID();
    const snapshot = msg(id);
    const user = msg(randomUUID(), { role: "user", content: "hi", status: "complete" });
    // The bus replays from the snapshot's id; an event it already covers (3) and a repeat (4) are dropped.
    const { bus, calls, emit } = scriptedBus({ kind: "replay", events: [delta(3, "no"), delta(4, "a"), delta(4, "dup")] });
    const res = sseResponse({ db: noDb, bus, keepAliveMs: 60_000 }, id, { kind: "post", snapshot, snapshotId: 3, userMessage: user });
    const reading = readSse(res);
    await vi.waitFor(() => expect(calls).toEqual([{ after: 3 }]));
    emit(delta(5, "b"));
    emit(done(6, { ...snapshot, content: "ab", status: "complete" }));
    const frames = await reading;
    expect(frames.map((f) => [f.id, f.event])).toEqual([
      [3, "snapshot"],
      [4, "delta"],
      [5, "delta"],
      [6, "done"],
    ]);
    expect(frames[0].data).toEqual({ message: snapshot, userMessage: user });
    expect(frames.slice(1, 3).map((f) => f.data.text)).toEqual(["a", "b"]);
  });

  it("a POST without a user message sends only the message in its snapshot", async () => {
    const id = randomUUID();
    const { bus } = scriptedBus({ kind: "replay", events: [done(1, msg(id, { status: "complete" }))] });
    const frames = await readSse(sseResponse({ db: noDb, bus, keepAliveMs: 60_000 }, id, { kind: "post", snapshot: msg(id), snapshotId: 0 }));
    expect(Object.keys(frames[0].data)).toEqual(["message"]);
  });

  it("a resume with replay skips what the client has (Last-Event-ID) and holds live events that arrive during the start", async () => {
    const id = randomUUID();
    // Events 7 and 8 arrive live while the subscription is being answered: they must follow the replay, once.
    const { bus, calls } = scriptedBus({ kind: "replay", events: [delta(5, "x"), delta(6, "y"), delta(7, "z")] }, (onEvent) => {
      onEvent(delta(7, "z"));
      onEvent(delta(8, "w"));
      onEvent(done(9, msg(id, { content: "yzw", status: "complete" })));
    });
    const frames = await readSse(sseResponse({ db: noDb, bus, keepAliveMs: 60_000 }, id, { kind: "resume", after: 5 }));
    expect(calls).toEqual([{ after: 5 }]);
    expect(frames.map((f) => f.id)).toEqual([6, 7, 8, 9]);
    expect(frames.map((f) => f.data.text ?? null)).toEqual(["y", "z", "w", null]);
  });

  it("a resume from a snapshot starts there, numbered, and continues live", async () => {
    const id = randomUUID();
    const state = msg(id, { content: "hello", parts: [{ type: "text", text: "hello" }], status: "streaming" });
    const { bus, emit, calls } = scriptedBus({ kind: "snapshot", message: state, id: 40 });
    const reading = readSse(sseResponse({ db: noDb, bus, keepAliveMs: 60_000 }, id, { kind: "resume", after: null }));
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    emit(delta(40, "old")); // already in the snapshot
    emit(delta(41, "!"));
    emit(done(42, { ...state, content: "hello!", status: "complete" }));
    const frames = await reading;
    expect(frames.map((f) => [f.id, f.event])).toEqual([
      [40, "snapshot"],
      [41, "delta"],
      [42, "done"],
    ]);
    expect(frames[0].data).toEqual({ message: state });
  });

  it("a reply the bus no longer holds is read from the database: a resume gets snapshot + done, a POST only done", async () => {
    const id = randomUUID();
    const row = {
      id,
      conversationId: "c1",
      role: "assistant",
      content: "final ✓",
      parts: [{ type: "text", text: "final ✓" }],
      status: "complete",
      metadata: {},
      createdAt: now,
      updatedAt: now,
      parentId: null,
      error: null,
      seq: 12,
    };
    const db = { message: { findUnique: async () => row } } as unknown as Db;
    const resumed = await readSse(sseResponse({ db, bus: scriptedBus({ kind: "unknown" }).bus, keepAliveMs: 60_000 }, id, { kind: "resume", after: 3 }));
    expect(resumed.map((f) => [f.id, f.event])).toEqual([
      [12, "snapshot"],
      [12, "done"],
    ]);
    expect(resumed[0].data).toEqual({ message: resumed[1].data.message });
    expect(resumed[1].data.message.content).toBe("final ✓");
    const posted = await readSse(
      sseResponse({ db, bus: scriptedBus({ kind: "unknown" }).bus, keepAliveMs: 60_000 }, id, { kind: "post", snapshot: msg(id), snapshotId: 0 }),
    );
    expect(posted.map((f) => [f.id, f.event])).toEqual([
      [0, "snapshot"],
      [12, "done"],
    ]);
    // A message that does not exist: the stream just ends.
    const none = { message: { findUnique: async () => null } } as unknown as Db;
    expect(await readSse(sseResponse({ db: none, bus: scriptedBus({ kind: "unknown" }).bus, keepAliveMs: 60_000 }, id, { kind: "resume", after: null }))).toEqual([]);
  });

  it("a failed start (bus or database down) errors the stream and releases its gauge count", async () => {
    const before = await gauge();
    const bus: StreamBus = { ...scriptedBus({ kind: "unknown" }).bus, subscribe: async () => Promise.reject(new Error("bus down")) };
    await expect(readSse(sseResponse({ db: noDb, bus, keepAliveMs: 60_000 }, "m", { kind: "resume", after: null }))).rejects.toThrow("bus down");
    const db = { message: { findUnique: async () => Promise.reject(new Error("db down")) } } as unknown as Db;
    await expect(readSse(sseResponse({ db, bus: scriptedBus({ kind: "unknown" }).bus, keepAliveMs: 60_000 }, "m", { kind: "resume", after: null }))).rejects.toThrow(
      "db down",
    );
    expect(await gauge()).toBe(before);
  });

  it("a client gone before the bus answers closes the subscription it then gets", async () => {
    let answer: (s: Subscription) => void = () => {};
    let closed = 0;
    const bus: StreamBus = { ...scriptedBus({ kind: "unknown" }).bus, subscribe: () => new Promise((r) => (answer = r)) };
    const ctrl = new AbortController();
    const res = sseResponse({ db: noDb, bus, keepAliveMs: 60_000 }, "m", { kind: "resume", after: null }, ctrl.signal);
    const reading = readSse(res);
    ctrl.abort();
    answer({ start: { kind: "replay", events: [delta(1, "late")] }, close: () => void closed++ });
    expect(await reading).toEqual([]);
    expect(closed).toBe(1);
  });

  it("an idle stream gets a keep-alive comment every keepAliveMs, and not before", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const id = randomUUID();
    const { bus, calls, closedCount } = scriptedBus({ kind: "replay", events: [] });
    const ctrl = new AbortController();
    const res = sseResponse({ db: noDb, bus, keepAliveMs: 15_000 }, id, { kind: "resume", after: 0 }, ctrl.signal);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    await new Promise((r) => setImmediate(r));
    let text = "";
    void (async () => {
      for (let r = await reader.read(); !r.done; r = await reader.read()) text += r.value;
    })();
    const settle = async () => {
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    };
    vi.advanceTimersByTime(14_999);
    await settle();
    expect(text).toBe("");
    vi.advanceTimersByTime(1);
    await vi.waitFor(() => expect(text).toBe(": keep-alive\n\n"));
    vi.advanceTimersByTime(15_000);
    await vi.waitFor(() => expect(text).toBe(": keep-alive\n\n: keep-alive\n\n"));
    ctrl.abort();
    expect(closedCount()).toBe(1);
    expect(vi.getTimerCount()).toBe(0); // the interval is gone with the stream
    vi.advanceTimersByTime(60_000);
    await settle();
    expect(text).toBe(": keep-alive\n\n: keep-alive\n\n");
  });
});

describe("sseResponse while live", () => {
  it("delivers each live event while the stream is open, not only at the end", async () => {
    const id = randomUUID();
    const { bus, emit, calls } = scriptedBus({ kind: "replay", events: [] });
    const reader = sseResponse({ db: noDb, bus, keepAliveMs: 60_000 }, id, { kind: "resume", after: 0 }).body!.pipeThrough(new TextDecoderStream()).getReader();
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    let text = "";
    for (const [n, t] of [
      [1, "first"],
      [2, "second"],
      [3, "third"],
    ] as const) {
      emit(delta(n, t));
      while (!text.includes(`id: ${n}\n`)) text += (await reader.read()).value ?? "";
    }
    expect(text).toBe([1, 2, 3].map((n) => frame(n, "delta", { index: 0, text: ["first", "second", "third"][n - 1] })).join(""));
    await reader.cancel();
  });

  it("keeps a slow reader up to its queue cap: megabytes unread are all delivered", async () => {
    const id = randomUUID();
    const { bus, emit, calls } = scriptedBus({ kind: "replay", events: [] });
    const reading = sseResponse({ db: noDb, bus, keepAliveMs: 60_000 }, id, { kind: "resume", after: 0 });
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    const chunk = "x".repeat(64 * 1024);
    for (let n = 1; n <= 32; n++) {
      emit(delta(n, chunk)); // 2 MB in all, nobody reading yet
      await new Promise((r) => setImmediate(r));
    }
    emit(done(33, msg(id, { status: "complete" })));
    const frames = await readSse(reading);
    expect(frames.map((f) => f.id)).toEqual(Array.from({ length: 33 }, (_, i) => i + 1));
  });

  it("a client that leaves right after an event is written ends cleanly (nothing written to the closed stream)", async () => {
    const id = randomUUID();
    const { bus, emit, calls, closedCount } = scriptedBus({ kind: "replay", events: [] });
    const ctrl = new AbortController();
    const res = sseResponse({ db: noDb, bus, keepAliveMs: 60_000 }, id, { kind: "resume", after: 0 }, ctrl.signal);
    const reading = readSse(res);
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r)); // the start is written: events now go out live
    emit(delta(1, "queued, not yet flushed"));
    ctrl.abort();
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r)); // the scheduled flush runs after the close
    expect(await reading).toEqual([]);
    expect(closedCount()).toBe(1);
  });

  it("a reader that cancels closes the subscription once and releases its gauge count, even if its signal aborts later", async () => {
    const before = await gauge();
    const { bus, calls, closedCount } = scriptedBus({ kind: "replay", events: [] });
    const ctrl = new AbortController();
    const reader = sseResponse({ db: noDb, bus, keepAliveMs: 60_000 }, "m", { kind: "resume", after: 0 }, ctrl.signal).body!.getReader();
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    expect(await gauge()).toBe(before + 1);
    await reader.cancel();
    expect(closedCount()).toBe(1);
    expect(await gauge()).toBe(before);
    ctrl.abort();
    expect(closedCount()).toBe(1);
    expect(await gauge()).toBe(before);
  });

  it("a start that fails and a signal that aborts after it count the stream down once", async () => {
    const before = await gauge();
    const bus: StreamBus = { ...scriptedBus({ kind: "unknown" }).bus, subscribe: async () => Promise.reject(new Error("bus down")) };
    const ctrl = new AbortController();
    await expect(readSse(sseResponse({ db: noDb, bus, keepAliveMs: 60_000 }, "m", { kind: "resume", after: null }, ctrl.signal))).rejects.toThrow("bus down");
    ctrl.abort();
    expect(await gauge()).toBe(before);
  });

  it("a viewer's view is closed exactly once: after a failed start, after `done`, after a cancel and a later abort", async () => {
    let closes = 0;
    const view: StreamView = { present: (m) => m, onClose: () => void closes++ };
    const down: StreamBus = { ...scriptedBus({ kind: "unknown" }).bus, subscribe: async () => Promise.reject(new Error("bus down")) };
    const ctrl = new AbortController();
    await expect(readSse(sseResponse({ db: noDb, bus: down, keepAliveMs: 60_000 }, "m", { kind: "resume", after: null }, ctrl.signal, view))).rejects.toThrow("bus down");
    expect(closes).toBe(1);
    ctrl.abort();
    expect(closes).toBe(1);

    closes = 0;
    const id = randomUUID();
    const { bus, emit, calls } = scriptedBus({ kind: "replay", events: [] });
    const reading = readSse(sseResponse({ db: noDb, bus, keepAliveMs: 60_000 }, id, { kind: "resume", after: 0 }, undefined, view));
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    emit(delta(1, "a"));
    emit(done(2, msg(id, { content: "a", status: "complete" })));
    expect((await reading).map((f) => f.event)).toEqual(["delta", "done"]);
    expect(closes).toBe(1);

    closes = 0;
    const live = scriptedBus({ kind: "replay", events: [] });
    const leaving = new AbortController();
    const reader = sseResponse({ db: noDb, bus: live.bus, keepAliveMs: 60_000 }, id, { kind: "resume", after: 0 }, leaving.signal, view).body!.getReader();
    await vi.waitFor(() => expect(live.calls).toHaveLength(1));
    await reader.cancel();
    leaving.abort();
    expect(closes).toBe(1);
  });

  it("a stream that ends during its start leaves no keep-alive timer behind", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const id = randomUUID();
    const { bus } = scriptedBus({ kind: "replay", events: [done(1, msg(id, { status: "complete" }))] });
    const frames = await readSse(sseResponse({ db: noDb, bus, keepAliveMs: 15_000 }, id, { kind: "resume", after: 0 }));
    expect(frames.map((f) => f.event)).toEqual(["done"]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("frame", () => {
  it("keeps text that looks like SSE inside one data line", () => {
    const f = frame(7, "delta", { text: "\n\ndata: x\r\nid: 99\n\n" });
    expect(f).toBe('id: 7\nevent: delta\ndata: {"text":"\\n\\ndata: x\\r\\nid: 99\\n\\n"}\n\n');
    expect(f.split("\n").filter((l) => l.startsWith("data:"))).toHaveLength(1);
  });
});
