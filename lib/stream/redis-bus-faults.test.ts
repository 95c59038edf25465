// The Redis bus when things go wrong, against the Redis on this machine:
// connections Redis drops, batches lost on the channel while the log is
// being read, a shutdown while writes are under way, and what the bus keeps
// once replies end. The bus's private parts are reached only to set a fault
// up (its connections) or to count what it still holds.
import { afterAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import type { RedisStreamBus } from "./redis-bus";
import type { StreamEvent } from "./events";
import { applyEvent } from "./reduce";
import { captureLogs } from "../platform/log";
import { followReply, redisBuses, replyMessage, runEvents } from "../testing/redis-bus-fixtures";

const buses = redisBuses("faults");
const { prefix, raw, ready, bus } = buses;
afterAll(() => buses.cleanup());

type Client = { clientId(): Promise<number> };
type Inside = {
  connect(): Promise<Client>;
  subscriber(): Promise<Client>;
  lastPublished: Map<string, number>;
  pending: Map<string, unknown>;
  flushing: Map<string, unknown>;
  cmd: unknown;
};
const inside = (b: RedisStreamBus) => b as unknown as Inside;
const logKey = (id: string) => `${prefix}:reply:${id}:log`;
const PIECES = ["données", ": ", "x\n\n", "id: 4\n", "event: done", "👩‍💻", "e\u0301", "日本", "!", " data: ", "中文", "."];

const textOf = (id: string, events: StreamEvent[]) => events.reduce((m, e) => applyEvent(m, e, new Map()), replyMessage(id)).content;

type Command = (...args: unknown[]) => Promise<unknown>;
/** Sends the named commands of `b`'s command connection through `wrap` (a fault's set-up); the function returned undoes it. */
function intercept(b: RedisStreamBus, wrap: Record<string, (send: Command, ...args: unknown[]) => Promise<unknown>>): () => void {
  const real = inside(b).connect.bind(b);
  inside(b).connect = async () => {
    const c = await real();
    return new Proxy(c, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if (typeof value !== "function") return value;
        const send: Command = (...args) => (value as Command).apply(target, args);
        const wrapped = typeof prop === "string" ? wrap[prop] : undefined;
        return wrapped ? (...args: unknown[]) => wrapped(send, ...args) : send;
      },
    });
  };
  return () => (inside(b).connect = real);
}

describe("RedisStreamBus under faults", () => {
  it("a connection Redis drops is logged and comes back by itself; the reply still reaches its subscriber whole", async () => {
    const logs = captureLogs("warn");
    try {
      const a = bus();
      const b = bus();
      const id = randomUUID();
      const events = runEvents(id, PIECES);
      await a.open(replyMessage(id), 0);
      // Their ids, read before the subscriber connection subscribes (it cannot answer after).
      const ids = [await (await inside(a).connect()).clientId(), await (await inside(b).subscriber()).clientId()];
      const f = await followReply(b, id, 0);
      a.publish(id, events.slice(0, 4));
      await expect.poll(() => f.live.length, { timeout: 10_000 }).toBe(4);

      await ready;
      for (const clientId of ids) await raw.sendCommand(["CLIENT", "KILL", "ID", String(clientId)]);
      const channel = `${prefix}:reply:${id}`;
      // Back by itself: the subscriber connection subscribes again.
      await expect.poll(async () => Number(((await raw.pubSubNumSub(channel)) as Record<string, number>)[channel] ?? 0), { timeout: 20_000 }).toBe(1);
      a.publish(id, events.slice(4));
      await f.ended;

      expect(f.all()).toEqual(events);
      expect(textOf(id, f.all())).toBe(PIECES.join(""));
      const dropped = logs.entries().filter((e) => e.msg === "redis error");
      expect(new Set(dropped.map((e) => e.client))).toEqual(new Set(["stream bus", "stream bus subscriber"]));
      f.sub.close();
    } finally {
      logs.restore();
    }
  });

  it("two batches lost in a row, and batches heard while the log is read: every event once, in order", async () => {
    const a = bus();
    const b = bus();
    const watcher = bus();
    const id = randomUUID();
    const events = runEvents(id, PIECES); // ids 1..16
    await a.open(replyMessage(id), 0);
    const f = await followReply(b, id, 0);
    const w = await followReply(watcher, id, 0);
    a.publish(id, events.slice(0, 3));
    await expect.poll(() => f.live.length, { timeout: 10_000 }).toBe(3);

    // b's command connection waits on a list: its read of the log queues behind, until released.
    const { release } = await buses.hold(b, id);
    try {
      await buses.missed(a, id, events.slice(3, 6));
      await buses.missed(a, id, events.slice(6, 8));
      const commands = b.commands;
      a.publish(id, events.slice(8, 10)); // shows b the gap: b reads the log (held)
      await expect.poll(() => b.commands - commands, { timeout: 10_000 }).toBe(4); // that read (redis-log.ts), queued
      await expect.poll(() => w.live.length, { timeout: 10_000 }).toBe(10); // the watcher, not held, repaired and went on
      a.publish(id, events.slice(10, 12)); // a batch of its own, heard while b's read waits
      await expect.poll(() => w.live.length, { timeout: 10_000 }).toBe(12);
      expect(f.live.map((e) => e.id)).toEqual([1, 2, 3]); // b delivered nothing past the gap yet
      await release();
      a.publish(id, events.slice(12));
      await f.ended;
      // One read of the log for the whole gap: what is heard meanwhile waits for it, it does not read again.
      expect(b.commands - commands).toBe(4);
    } finally {
      await release();
    }

    expect(f.live).toEqual(events);
    expect(w.live).toEqual(events);
    expect(textOf(id, f.live)).toBe(PIECES.join(""));
    f.sub.close();
    w.sub.close();
  });

  it("a batch written between a subscriber's two reads of the log is delivered live, not skipped", async () => {
    // Subscribing reads the log's range after its start and its newest entry,
    // two commands. A batch that lands between them is in the second read
    // only; its PUBLISH comes live after. The start must not claim it.
    const a = bus({ windowMs: 0 });
    for (const after of [0, null]) {
      const b = bus();
      const id = randomUUID();
      const events = runEvents(id, PIECES); // ids 1..16
      await a.open(replyMessage(id), 0);
      a.publish(id, events.slice(0, 5));
      await expect.poll(async () => (await raw.xLen(logKey(id))) > 0, { timeout: 10_000 }).toBe(true);
      let landed!: () => void;
      const between = new Promise<void>((r) => (landed = r));
      const restore = intercept(b, {
        async xRange(send, ...args) {
          const read = await send(...args);
          a.publish(id, events.slice(5, 9)); // lands before the second read
          await expect.poll(async () => (await raw.xLen(logKey(id))) === 2, { timeout: 10_000 }).toBe(true);
          landed();
          return read;
        },
        xRevRange: async (send, ...args) => (await between, send(...args)),
      });
      const f = await followReply(b, id, after);
      restore();
      a.publish(id, events.slice(9));
      await f.ended;
      const start = f.sub.start;
      if (after === null) {
        // A snapshot of what the range read returned, then the rest live.
        expect(start.kind === "snapshot" && start.id).toBe(5);
        expect(f.live.map((e) => e.id)).toEqual(events.slice(5).map((e) => e.id));
      } else expect(f.all()).toEqual(events);
      f.sub.close();
    }
  });

  it("by default, what one turn publishes is one batch, and what comes while its write is under way is the next", async () => {
    const a = bus(); // REDIS_PUBLISH_WINDOW_MS's default: no window
    const id = randomUUID();
    const events = runEvents(id, ["a", "b", "c", "d", "e", "f"]); // ids 1..10
    await a.open(replyMessage(id), 0);
    const f = await followReply(bus(), id, 0);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let writing!: () => void;
    const started = new Promise<void>((r) => (writing = r));
    const restore = intercept(a, {
      async xAdd(send, ...args) {
        if (args[1] === "4-0") {
          writing();
          await held;
        }
        return send(...args);
      },
    });
    const before = a.commands;
    for (const e of events.slice(0, 4)) {
      a.publish(id, [e]); // one turn, four calls, each in a microtask of its own (as a generation's sends are)
      await Promise.resolve();
    }
    await started; // the first batch holds all four (its XADD's id is 4), or this never comes
    for (const e of events.slice(4, 8)) {
      a.publish(id, [e]); // each in a turn of its own, while the first batch's write is held
      await new Promise((r) => setImmediate(r));
    }
    release();
    await expect.poll(() => f.live.length, { timeout: 10_000 }).toBe(8);
    a.publish(id, events.slice(8)); // holds `done`
    await f.ended;
    restore();
    expect(f.all()).toEqual(events);
    // Three batches (1–4, 5–8, 9–10), an XADD and a PUBLISH each, and two to expire the keys.
    await expect.poll(() => a.commands - before, { timeout: 10_000 }).toBe(3 * 2 + 2);
    expect(await raw.xLen(logKey(id))).toBe(3);
  });

  it("close() waits for writes already under way, closes its connections, and opens none after", async () => {
    const a = bus();
    const id = randomUUID();
    const events = runEvents(id, ["last ", "words"]);
    await a.open(replyMessage(id), 0);
    await followReply(a, id, 0); // its subscriber connection too
    const connections = [await (await inside(a).connect()).clientId()];
    a.publish(id, events); // holds `done`: written at once
    await Promise.resolve();
    await Promise.resolve();
    // The write is under way: nothing is waiting for a window any more.
    expect(inside(a).pending.size).toBe(0);
    expect(inside(a).flushing.size).toBe(1);

    await a.close();

    await ready;
    expect(await raw.pTTL(logKey(id))).toBeGreaterThan(0); // the expiry after `done` too
    const entries = await raw.xRange(logKey(id), "-", "+");
    expect((entries ?? []).flatMap((e) => JSON.parse(String(e.message.e)) as StreamEvent[])).toEqual(events);
    expect(inside(a).cmd).toBeNull();
    // Its connections are gone from the server.
    const listed = String(await raw.sendCommand(["CLIENT", "LIST", "ID", ...connections.map(String)]));
    expect(listed.trim()).toBe("");
    const channel = `${prefix}:reply:${id}`;
    expect(((await raw.pubSubNumSub(channel)) as Record<string, number>)[channel] ?? 0).toBe(0);
  });

  it("close() also writes a reply that first publishes while it runs; after it, a publish is dropped with a warning and opens no connection", async () => {
    const logs = captureLogs("warn");
    try {
      const a = bus({ windowMs: 60_000 }); // nothing unfinished would go out by itself
      const [first, late] = [randomUUID(), randomUUID()];
      const events = runEvents(first, ["one"]); // ends in `done`: written at once
      const lateEvents = runEvents(late, ["two"]).slice(0, 3); // waits for its window
      await Promise.all([a.open(replyMessage(first), 0), a.open(replyMessage(late), 0)]);
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let writing!: () => void;
      const started = new Promise<void>((r) => (writing = r));
      intercept(a, { xAdd: async (send, ...args) => (args[0] === logKey(first) && (writing(), await held), send(...args)) });
      a.publish(first, events);
      await started;
      const closing = a.close(); // waits for `first`'s write…
      a.publish(late, lateEvents); // …while another reply publishes for the first time
      release();
      await closing;
      await ready;
      for (const [id, ev] of [
        [first, events],
        [late, lateEvents],
      ] as const) {
        const entries = await raw.xRange(logKey(id), "-", "+");
        expect((entries ?? []).flatMap((e) => JSON.parse(String(e.message.e)) as StreamEvent[])).toEqual(ev);
      }
      a.publish(late, runEvents(late, ["three"], 10));
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setTimeout(r, 20));
      expect(inside(a).cmd).toBeNull();
      expect(inside(a).pending.size + inside(a).flushing.size).toBe(0);
      expect(logs.entries().some((l) => /publish after the stream bus closed/.test(String(l.msg)) && l.messageId === late)).toBe(true);
      await expect(a.subscribe(late, 0, () => {})).rejects.toThrow(/closed/);
    } finally {
      logs.restore();
    }
  });

  it("keeps nothing for a reply once its `done` is written", async () => {
    const a = bus();
    const f = bus();
    const ids = Array.from({ length: 20 }, () => randomUUID());
    const followers = [];
    for (const id of ids) {
      await a.open(replyMessage(id), 0);
      followers.push(await followReply(f, id, 0));
      const events = runEvents(id, ["a", "b"]);
      a.publish(id, events.slice(0, 3));
      a.publish(id, events.slice(3));
    }
    for (const x of followers) await x.ended;
    await expect.poll(() => [inside(a).pending.size, inside(a).flushing.size, inside(a).lastPublished.size], { timeout: 10_000 }).toEqual([0, 0, 0]);
    for (const x of followers) x.sub.close();
  });

  it("a batch whose write is retried still lands before the next one, though the batch before it ended meanwhile", async () => {
    // Three batches of one reply: A's write is held, B is queued behind it,
    // and B's first write fails once. C, sent while B waits to retry, must
    // still wait for B: written first, C would make the log refuse B's id
    // (smaller than its last), and B's events would be missing from the log
    // that resuming readers replay.
    const a = bus({ windowMs: 0 });
    const id = randomUUID();
    const events = runEvents(id, ["the ", "first ", "batches"]); // ids 1..7
    const [batchA, batchB, batchC] = [events.slice(0, 2), events.slice(2, 4), events.slice(4)];
    await a.open(replyMessage(id), 0);
    let releaseA!: () => void;
    const heldA = new Promise<void>((r) => (releaseA = r));
    let aWriting!: () => void;
    const aStarted = new Promise<void>((r) => (aWriting = r));
    let failedB = false;
    intercept(a, {
      async xAdd(send, key, entryId, ...rest) {
        if (entryId === "2-0") {
          aWriting();
          await heldA;
        }
        if (entryId === "4-0" && !failedB) {
          failedB = true;
          a.publish(id, batchC); // holds `done`: written at once, or queued behind B
          throw new Error("ECONNRESET (injected)");
        }
        return send(key, entryId, ...rest);
      },
    });

    a.publish(id, batchA);
    await aStarted;
    const writingA = inside(a).flushing.get(id);
    a.publish(id, batchB);
    await expect.poll(() => inside(a).flushing.get(id) !== writingA).toBe(true); // B's write is queued behind A's
    releaseA();
    await expect.poll(() => [failedB, inside(a).flushing.size], { timeout: 10_000 }).toEqual([true, 0]);

    await ready;
    const entries = await raw.xRange(logKey(id), "-", "+");
    expect((entries ?? []).flatMap((e) => JSON.parse(String(e.message.e)) as StreamEvent[])).toEqual(events);
  });
});
