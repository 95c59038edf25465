import { afterEach, describe, expect, it, vi } from "vitest";
import { randomUUID } from "node:crypto";
import { MemoryStreamBus } from "./memory-bus";
import type { StreamEvent } from "./events";
import type { Message } from "../chat/types";
import { applyEvent } from "./reduce";

function message(id: string): Message {
  const now = new Date().toISOString();
  return { id, conversationId: randomUUID(), role: "assistant", content: "", parts: [], status: "pending", metadata: {}, createdAt: now, updatedAt: now };
}

/** A reply's events: a text part streamed as the given pieces, then the end. */
function script(id: string, pieces: string[]): StreamEvent[] {
  const ev: StreamEvent[] = [];
  let n = 0;
  ev.push({ id: ++n, event: "status", data: { status: "streaming" } });
  ev.push({ id: ++n, event: "part_start", data: { index: 0, part: { type: "text", text: "" } } });
  for (const t of pieces) ev.push({ id: ++n, event: "delta", data: { index: 0, text: t } });
  ev.push({ id: ++n, event: "part_stop", data: { index: 0 } });
  ev.push({ id: ++n, event: "status", data: { status: "complete" } });
  const final = { ...message(id), content: pieces.join(""), parts: [{ type: "text" as const, text: pieces.join("") }], status: "complete" as const };
  ev.push({ id: ++n, event: "done", data: { message: final } });
  return ev;
}

const PIECES = ["데이터", ": ", "x\n\n", "id: 4", "👩‍💻", "e\u0301", "!"];

describe("MemoryStreamBus", () => {
  it("replays exactly the events after any N, then follows live, for many subscribers", async () => {
    const bus = new MemoryStreamBus();
    const id = randomUUID();
    const events = script(id, PIECES);
    await bus.open(message(id), 0);
    bus.publish(id, events.slice(0, 4));
    const got: StreamEvent[][] = [];
    for (let n = 0; n <= 4; n++) {
      const seen: StreamEvent[] = [];
      const sub = await bus.subscribe(id, n, (e) => seen.push(e));
      expect(sub.start.kind).toBe("replay");
      if (sub.start.kind === "replay") seen.unshift(...sub.start.events);
      got.push(seen);
    }
    bus.publish(id, events.slice(4));
    got.forEach((seen, n) => expect(seen.map((e) => e.id)).toEqual(events.filter((e) => e.id > n).map((e) => e.id)));
  });

  it("never delivers an id twice, even if published twice", async () => {
    const bus = new MemoryStreamBus();
    const id = randomUUID();
    const events = script(id, PIECES);
    await bus.open(message(id), 0);
    const seen: number[] = [];
    await bus.subscribe(id, 0, (e) => seen.push(e.id));
    bus.publish(id, events.slice(0, 5));
    bus.publish(id, events.slice(3));
    expect(seen).toEqual(events.map((e) => e.id));
  });

  it("falls back to a snapshot that, with the later events, rebuilds the text", async () => {
    const bus = new MemoryStreamBus(6); // folds old events once the log passes 6
    const id = randomUUID();
    const pieces = Array.from({ length: 30 }, (_, i) => `${i}🙂 `);
    const events = script(id, pieces);
    await bus.open(message(id), 0);
    bus.publish(id, events.slice(0, 20));
    const live: StreamEvent[] = [];
    const sub = await bus.subscribe(id, 1, (e) => live.push(e)); // too old to replay
    expect(sub.start.kind).toBe("snapshot");
    if (sub.start.kind !== "snapshot") return;
    expect(sub.start.id).toBe(20);
    bus.publish(id, events.slice(20));
    let m = sub.start.message;
    const pending = new Map<number, string>();
    for (const e of live) m = applyEvent(m, e, pending);
    expect(m.content).toBe(pieces.join(""));
    expect(live[0].id).toBe(21);
  });

  it("hands a finished reply to the database unless the tail can be replayed", async () => {
    const bus = new MemoryStreamBus();
    const id = randomUUID();
    const events = script(id, PIECES);
    await bus.open(message(id), 0);
    bus.publish(id, events);
    const last = events[events.length - 1].id;
    expect((await bus.subscribe(id, null, () => {})).start.kind).toBe("unknown");
    expect((await bus.subscribe(id, last, () => {})).start.kind).toBe("unknown");
    const tail = await bus.subscribe(id, last - 2, () => {});
    expect(tail.start.kind === "replay" && tail.start.events.map((e) => e.id)).toEqual([last - 1, last]);
    expect((await bus.subscribe(randomUUID(), 0, () => {})).start.kind).toBe("unknown");
  });

  it("folds only past maxEvents, and only half of them: what is left replays", async () => {
    const bus = new MemoryStreamBus(4);
    const id = randomUUID();
    const events = script(id, PIECES); // 11 events
    await bus.open(message(id), 0);
    bus.publish(id, events.slice(0, 4)); // exactly maxEvents: nothing folded yet
    const from0 = await bus.subscribe(id, 0, () => {});
    expect(from0.start.kind === "replay" && from0.start.events.map((e) => e.id)).toEqual([1, 2, 3, 4]);
    bus.publish(id, events.slice(4, 5)); // 5 > 4: the oldest 2 fold into the base
    expect((await bus.subscribe(id, 1, () => {})).start.kind).toBe("snapshot");
    const from2 = await bus.subscribe(id, 2, () => {});
    expect(from2.start.kind === "replay" && from2.start.events.map((e) => e.id)).toEqual([3, 4, 5]);
  });

  it("after the end, replays from the base id but not from before it", async () => {
    const bus = new MemoryStreamBus(4);
    const id = randomUUID();
    const events = script(id, PIECES);
    await bus.open(message(id), 0);
    for (const e of events) bus.publish(id, [e]); // 12 events, folding as they come: base id 8, events 9–12 kept
    const atBase = await bus.subscribe(id, 8, () => {});
    expect(atBase.start.kind === "replay" && atBase.start.events.map((e) => e.id)).toEqual([9, 10, 11, 12]);
    expect((await bus.subscribe(id, 7, () => {})).start.kind).toBe("unknown");
  });

  it("stops delivering to a closed subscription, and to one that joined after the end, across a Continue", async () => {
    const bus = new MemoryStreamBus();
    const id = randomUUID();
    const events = script(id, PIECES);
    await bus.open(message(id), 0);
    const closed: number[] = [];
    const sub = await bus.subscribe(id, 0, (e) => closed.push(e.id));
    bus.publish(id, events.slice(0, 2));
    sub.close();
    bus.publish(id, events.slice(2));
    expect(closed).toEqual([1, 2]);
    const late: number[] = [];
    const tail = await bus.subscribe(id, events.length - 1, (e) => late.push(e.id));
    expect(tail.start.kind).toBe("replay");
    await bus.open(message(id), events.length); // Continue: a new run of the same reply
    bus.publish(
      id,
      script(id, ["more"]).map((e) => ({ ...e, id: e.id + events.length })),
    );
    expect(late).toEqual([]);
  });

  describe("retention after the end", () => {
    afterEach(() => void vi.useRealTimers());

    it("drops a finished log after retainMs, unless a Continue reopened it", async () => {
      vi.useFakeTimers();
      const bus = new MemoryStreamBus(50_000, 1_000);
      const a = randomUUID();
      const b = randomUUID();
      await bus.open(message(a), 0);
      await bus.open(message(b), 0);
      bus.publish(a, script(a, PIECES));
      bus.publish(b, script(b, PIECES));
      await bus.open(message(b), 20); // reopened within the minute: its new log stays
      vi.advanceTimersByTime(999);
      expect(bus.has(a)).toBe(true);
      vi.advanceTimersByTime(1);
      expect(bus.has(a)).toBe(false);
      expect(bus.has(b)).toBe(true);
    });
  });
});
