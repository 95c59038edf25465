import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { MemoryStreamBus } from "../stream/memory-bus";
import type { StreamEvent } from "../stream/events";
import type { Message } from "../chat/types";
import type { Db } from "../platform/db";
import { readSse, rebuildText } from "../testing/route-client";
import { metrics } from "../platform/metrics";
import { losingBus } from "../testing/losing-bus";

import { encodedFrame, frame, resumeAfter, sseResponse } from "./sse";

const noDb = {} as Db; // these streams never fall back to the database
const keepAliveMs = 30;

function msg(id: string): Message {
  const now = new Date().toISOString();
  return { id, conversationId: randomUUID(), role: "assistant", content: "", parts: [], status: "pending", metadata: {}, createdAt: now, updatedAt: now };
}

describe("sseResponse", () => {
  it("drops a subscriber that stops reading, without slowing the publisher; it resumes by id", async () => {
    const bus = new MemoryStreamBus();
    const id = randomUUID();
    await bus.open(msg(id), 0);
    const res = sseResponse({ db: noDb, bus, keepAliveMs }, id, { kind: "resume", after: 0 });
    const chunk = "data: x\n\n".repeat(2000) + "🙂"; // ~18 KB per delta
    const events: StreamEvent[] = [{ id: 1, event: "part_start", data: { index: 0, part: { type: "text", text: "" } } }];
    for (let i = 2; i <= 400; i++) events.push({ id: i, event: "delta", data: { index: 0, text: chunk } });
    for (const e of events) {
      bus.publish(id, [e]);
      await new Promise((r) => setImmediate(r)); // let the writer flush between events
    }
    // Nobody read, yet publishing never waited (it is synchronous): the
    // stream was closed once its queue passed the cap.
    const frames = await readSse(res);
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.length).toBeLessThan(events.length);
    expect(frames.map((f) => f.id)).toEqual(frames.map((_, i) => i + 1));
    // Resume from the last id it got: the rest, exactly once.
    const last = frames[frames.length - 1].id!;
    const rest: ReturnType<typeof readSse> = readSse(sseResponse({ db: noDb, bus, keepAliveMs }, id, { kind: "resume", after: last }));
    const final = { ...msg(id), status: "complete" as const, content: chunk.repeat(399), parts: [{ type: "text" as const, text: chunk.repeat(399) }] };
    bus.publish(id, [{ id: 401, event: "done", data: { message: final } }]);
    const tail = await rest;
    expect(tail.map((f) => f.id)).toEqual(Array.from({ length: 401 - last }, (_, i) => last + 1 + i));
    expect(rebuildText([...frames, ...tail])).toBe(final.content);
  });

  it("sends keep-alive comments while idle and stops when the client leaves, releasing its bus listener and its gauge count", async () => {
    const bus = new MemoryStreamBus();
    // What is subscribed to the bus right now, per message (the bus's own listeners are private).
    const listening = new Map<string, number>();
    const counted = Object.assign(Object.create(bus) as MemoryStreamBus, {
      async subscribe(messageId: string, after: number | null, onEvent: (e: StreamEvent) => void) {
        const sub = await bus.subscribe(messageId, after, onEvent);
        listening.set(messageId, (listening.get(messageId) ?? 0) + 1);
        let open = true;
        return {
          start: sub.start,
          close() {
            if (open) listening.set(messageId, listening.get(messageId)! - 1);
            open = false;
            sub.close();
          },
        };
      },
    });
    const id = randomUUID();
    await bus.open(msg(id), 0);
    const gauge = async () => (await metrics.sseSubscribers.get()).values.reduce((n, v) => n + v.value, 0);
    const before = await gauge();
    const ctrl = new AbortController();
    const res = sseResponse({ db: noDb, bus: counted, keepAliveMs }, id, { kind: "resume", after: null }, ctrl.signal);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes(": keep-alive\n\n")) text += (await reader.read()).value ?? "";
    expect(text.startsWith("id: 0\nevent: snapshot\n")).toBe(true);
    expect(listening.get(id)).toBe(1);
    expect(await gauge()).toBe(before + 1);
    ctrl.abort();
    for (;;) if ((await reader.read()).done) break; // the stream ends
    expect(listening.get(id)).toBe(0);
    expect(await gauge()).toBe(before);
    // Later events reach nobody, and the stream stays ended.
    bus.publish(id, [{ id: 1, event: "part_start", data: { index: 0, part: { type: "text", text: "" } } }]);
    expect((await reader.read()).done).toBe(true);
  });
});

describe("sseResponse, when the bus loses events it cannot give back", () => {
  it("ends without `done` after what it had, and resuming from its last id gets the rest exactly once", async () => {
    const { bus, losing, lose } = losingBus();
    const id = randomUUID();
    await bus.open(msg(id), 0);
    const text = ["données ", "id: 7\n\n", "👩‍💻", " e\u0301"];
    const events: StreamEvent[] = [
      { id: 1, event: "part_start", data: { index: 0, part: { type: "text", text: "" } } },
      ...text.map((t, i) => ({ id: i + 2, event: "delta" as const, data: { index: 0, text: t } })),
    ];
    const first = readSse(sseResponse({ db: noDb, bus: losing, keepAliveMs: 60_000 }, id, { kind: "resume", after: 0 }));
    await new Promise((r) => setImmediate(r)); // subscribed
    bus.publish(id, events.slice(0, 3));
    await new Promise((r) => setImmediate(r));
    lose();
    bus.publish(id, events.slice(3));
    const got = await first; // it ended by itself
    expect(got.map((f) => [f.id, f.event])).toEqual([
      [1, "part_start"],
      [2, "delta"],
      [3, "delta"],
    ]);
    const rest = readSse(sseResponse({ db: noDb, bus, keepAliveMs: 60_000 }, id, { kind: "resume", after: got.at(-1)!.id }));
    const final = { ...msg(id), status: "complete" as const, content: text.join(""), parts: [{ type: "text" as const, text: text.join("") }] };
    bus.publish(id, [{ id: 6, event: "done", data: { message: final } }]);
    const tail = await rest;
    expect(tail.map((f) => f.id)).toEqual([4, 5, 6]);
    expect(rebuildText([...got, ...tail])).toBe(final.content);
  });
});

describe("resumeAfter", () => {
  const at = (lastEventId: string | null, query = "") =>
    resumeAfter(new Request(`http://localhost/api/messages/x/stream${query}`, { headers: lastEventId === null ? {} : { "last-event-id": lastEventId } }));

  it("reads any whole event id, of one digit or fifteen (docs/PROTOCOL.md: Last-Event-ID, then ?after=)", () => {
    expect(at("7")).toBe(7);
    expect(at("12")).toBe(12); // two digits and more are ids too: a reader this far in gets a replay, not a snapshot
    expect(at("1048576")).toBe(1048576);
    expect(at("999999999999999")).toBe(999999999999999);
    expect(at(" 40 ")).toBe(40);
    expect(at(null, "?after=%2040%20")).toBe(40); // a header's spaces are gone before it gets here; a query's are not
    expect(at(null, "?after=40")).toBe(40);
    expect(at("12", "?after=40")).toBe(12);
    expect(at(null)).toBeNull();
  });

  it("reads anything else as no id: the reader gets a snapshot", () => {
    for (const bad of ["", "-1", "1.5", "1e3", "0x10", "12a", "a12", "1234567890123456"]) expect(at(bad), bad).toBeNull();
    expect(at(null, "?after=")).toBeNull();
  });
});

describe("encodedFrame", () => {
  it("encodes each event once: every subscriber is handed the same bytes", async () => {
    const bus = new MemoryStreamBus();
    const id = randomUUID();
    await bus.open(msg(id), 0);
    const chunks = [[], []] as Uint8Array[][];
    const readers = chunks.map((into) => {
      const reader = sseResponse({ db: noDb, bus, keepAliveMs: 60_000 }, id, { kind: "resume", after: 0 }).body!.getReader();
      return (async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          into.push(value);
        }
      })();
    });
    await new Promise((r) => setImmediate(r)); // both subscribed
    const delta: StreamEvent = { id: 1, event: "delta", data: { index: 0, text: "e\u0301 👋🏽\r\ndata: x\n\nid: 9" } };
    bus.publish(id, [delta]);
    await new Promise((r) => setImmediate(r));
    const final = { ...msg(id), status: "complete" as const };
    bus.publish(id, [{ id: 2, event: "done", data: { message: final } }]);
    await Promise.all(readers);
    const mine = encodedFrame(delta);
    expect(new TextDecoder().decode(mine)).toBe(frame(1, "delta", delta.data));
    // The very same bytes (not an equal copy) went to both subscribers.
    expect(chunks[0]).toContain(mine);
    expect(chunks[1]).toContain(mine);
  });

  it("waits for a just-admitted (pending) reply's log to open on the bus, then streams it; a finished one ends at once", async () => {
    const bus = new MemoryStreamBus();
    const id = randomUUID();
    const pending = msg(id);
    let reads = 0;
    const row = (m: Message, seq: number) => ({ ...m, seq, seqCeiling: 0, error: null, createdAt: new Date(m.createdAt), updatedAt: new Date(m.updatedAt) });
    const db = { message: { findUnique: async () => (reads++, row(pending, 0)) } } as unknown as Db;
    // A repeat of the POST (Idempotency-Key) that arrives before the owner opened the log.
    const res = sseResponse({ db, bus, keepAliveMs }, id, { kind: "post", snapshot: pending, snapshotId: 0 });
    const frames = readSse(res);
    await expect.poll(() => reads).toBeGreaterThan(1); // it looked, and is waiting
    await bus.open(pending, 0);
    const final = { ...pending, status: "complete" as const, content: "late but whole", parts: [{ type: "text" as const, text: "late but whole" }] };
    // Whether its next look comes before or after these, it gets them all, once.
    bus.publish(id, [
      { id: 1, event: "part_start", data: { index: 0, part: { type: "text", text: "" } } },
      { id: 2, event: "delta", data: { index: 0, text: "late but whole" } },
      { id: 3, event: "done", data: { message: final } },
    ]);
    const got = await frames;
    expect(got.map((f) => f.event)).toEqual(["snapshot", "part_start", "delta", "done"]);
    expect(rebuildText(got)).toBe("late but whole");

    // One left pending long ago (its process died before the log opened) is not waited for.
    const old = { ...msg(randomUUID()), updatedAt: new Date(Date.now() - 60_000).toISOString() };
    let oldReads = 0;
    const db3 = { message: { findUnique: async () => (oldReads++, row(old, 0)) } } as unknown as Db;
    const stale = await readSse(sseResponse({ db: db3, bus, keepAliveMs }, old.id, { kind: "resume", after: null }));
    expect(stale.map((f) => f.event)).toEqual(["snapshot", "done"]);
    expect(oldReads).toBe(1);

    // A reply that is not pending and not on the bus ends at once with what is stored.
    const doneId = randomUUID();
    const stored = row({ ...msg(doneId), status: "complete", content: "stored", parts: [{ type: "text", text: "stored" }] }, 7);
    const db2 = { message: { findUnique: async () => stored } } as unknown as Db;
    const ended = await readSse(sseResponse({ db: db2, bus, keepAliveMs }, doneId, { kind: "resume", after: null }));
    expect(ended.map((f) => [f.id, f.event])).toEqual([
      [7, "snapshot"],
      [7, "done"],
    ]);
  });
});
