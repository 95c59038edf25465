// A long reply's Redis log is folded into its base (redis-log.ts) rather
// than trimmed: every reader, from any position, still starts with the whole
// text, and a reader racing a fold never starts from a hole.
import { afterAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import type { Message } from "../chat/types";
import type { StreamEvent } from "./events";
import { applyEvent } from "./reduce";
import type { RedisStreamBus } from "./redis-bus";
import { foldLog } from "./redis-log";
import { followReply, redisBuses, replyMessage, runEvents } from "../testing/redis-bus-fixtures";

const buses = redisBuses("fold");
const { bus, raw, ready, prefix } = buses;
afterAll(() => buses.cleanup());
const logKey = (id: string) => `${prefix}:reply:${id}:log`;
const baseKey = (id: string) => `${prefix}:reply:${id}:base`;

const TEXT = ["données", ": ", "x\n\n", "id: 4\n", "event: done", "👩‍💻", "e\u0301", "日本", "!", "data: {}", "\r\n", "😀"];
const JSON_PIECES = ['{"q', 'uery": "é', "👩‍💻", '", "n": 4', "2}"];

/** A run with a text part and a tool call whose input JSON arrives in pieces (ids 1…). */
function run(): StreamEvent[] {
  const ev: Omit<StreamEvent, "id">[] = [
    { event: "status", data: { status: "streaming" } },
    { event: "part_start", data: { index: 0, part: { type: "text", text: "" } } },
    ...TEXT.slice(0, 6).map((text) => ({ event: "delta" as const, data: { index: 0, text } })),
    { event: "part_start", data: { index: 1, part: { type: "tool_use", id: "t1", name: "search", input: {} } } },
    ...JSON_PIECES.map((json) => ({ event: "delta" as const, data: { index: 1, json } })),
    { event: "part_stop", data: { index: 1 } },
    { event: "part_start", data: { index: 2, part: { type: "text", text: "" } } },
    ...TEXT.slice(6).map((text) => ({ event: "delta" as const, data: { index: 2, text } })),
    { event: "part_stop", data: { index: 2 } },
    { event: "part_stop", data: { index: 0 } },
  ] as Omit<StreamEvent, "id">[];
  return ev.map((e, i) => ({ ...e, id: i + 1 }) as StreamEvent);
}

/** The reply's state after the events up to `id`, rebuilt from scratch. */
function stateAt(base: Message, events: StreamEvent[], upTo: number): Message {
  const pending = new Map<number, string>();
  return events.filter((e) => e.id <= upTo).reduce((m, e) => applyEvent(m, e, pending), base);
}

/** Publishes each event as a batch of its own: the next goes once a follower has the last. */
async function publishOneByOne(a: RedisStreamBus, id: string, events: StreamEvent[], live: StreamEvent[]) {
  for (const e of events) {
    a.publish(id, [e]);
    await expect.poll(() => live.at(-1)?.id, { timeout: 10_000 }).toBe(e.id);
  }
}

/** A reply opened on a writer folding past `maxEntries` batches, followed live from its start on another instance. */
async function followed(maxEntries: number) {
  await ready;
  const a = bus({ maxEntries });
  const b = bus();
  const id = randomUUID();
  const base = replyMessage(id);
  await a.open(base, 0);
  return { a, b, id, base, events: run(), f: await followReply(b, id, 0) };
}

describe("RedisStreamBus: a long reply's log", () => {
  it("is folded into its base: readers at every position start with the whole text, and the log stays bounded", async () => {
    const { a, b, id, base, events, f } = await followed(4);
    const last = events.length;
    await publishOneByOne(a, id, events, f.live);
    // Far fewer batches in the log than were written: the oldest were folded.
    expect(await raw.xLen(logKey(id))).toBeLessThanOrEqual(5);
    const whole = stateAt(base, events, last);
    expect(whole.parts[1]).toMatchObject({ input: { query: "é👩‍💻", n: 42 } });
    for (const after of [null, 0, 1, 5, 9, 12, last - 3, last - 1, last]) {
      const s = await b.subscribe(id, after, () => {});
      s.close();
      const start = s.start;
      if (start.kind === "replay") {
        // Only positions the log still holds are replayed, with every event after them.
        expect(after).not.toBeNull();
        expect(start.events.map((e) => e.id)).toEqual(events.filter((e) => e.id > after!).map((e) => e.id));
        expect(start.events.reduce((m, e) => applyEvent(m, e, new Map()), stateAt(base, events, after!)).content).toBe(whole.content);
      } else {
        expect(start.kind).toBe("snapshot");
        if (start.kind !== "snapshot") continue;
        expect(start.id).toBe(last);
        expect(start.message.content).toBe(TEXT.join(""));
        expect(start.message.parts).toEqual(whole.parts);
      }
    }
    // The live follower saw every id once, in order.
    expect(f.live.map((e) => e.id)).toEqual(events.map((e) => e.id));
    f.sub.close();
  });

  it("a fold cut inside a tool call's input keeps the JSON that had arrived, for the call's end to complete", async () => {
    const { a, b, id, base, events, f } = await followed(2);
    const stop = events.findIndex((e) => e.event === "part_stop"); // the tool call's end
    await publishOneByOne(a, id, events.slice(0, stop), f.live);
    // Folded while the input was still arriving: the base holds what had come.
    const held = JSON.parse((await raw.get(`${prefix}:reply:${id}:base`))!) as { id: number; pending: [number, string][] };
    expect(held.id).toBeGreaterThan(events.findIndex((e) => "json" in e.data) + 1);
    expect(new Map(held.pending).get(1)).toBe(JSON_PIECES.join("").slice(0, new Map(held.pending).get(1)!.length));
    expect(new Map(held.pending).get(1)!.length).toBeGreaterThan(0);
    await publishOneByOne(a, id, events.slice(stop), f.live);
    const s = await b.subscribe(id, null, () => {});
    s.close();
    expect(s.start.kind === "snapshot" && s.start.message.parts).toEqual(stateAt(base, events, events.length).parts);
    f.sub.close();
  });

  it("a reader whose reads straddle a fold starts again: never from the old base with the folded batches gone", async () => {
    const { a, b, id, base, events, f } = await followed(4);
    await publishOneByOne(a, id, events.slice(0, 4), f.live);
    // b reads the base, then (before its log read) a's next batch makes a fold.
    const c = await (b as unknown as { connect(): Promise<{ get: (k: string) => Promise<string | null> }> }).connect();
    const realGet = c.get.bind(c);
    let first = true;
    c.get = async (k: string) => {
      const got = await realGet(k);
      if (first && k.endsWith(":base")) {
        first = false;
        await publishOneByOne(a, id, events.slice(4, 6), f.live);
        await expect.poll(async () => (await raw.get(k)) !== got, { timeout: 10_000 }).toBe(true); // folded
      }
      return got;
    };
    const s = await b.subscribe(id, null, () => {});
    c.get = realGet;
    s.close();
    expect(s.start.kind).toBe("snapshot");
    if (s.start.kind !== "snapshot") return;
    expect(s.start.id).toBe(6);
    expect(s.start.message).toEqual({ ...stateAt(base, events, 6), status: "streaming" });
    f.sub.close();
  });

  it("a live reader that missed batches since folded away gets the base as a numbered snapshot, then every later event", async () => {
    const { a, id, base, events, f } = await followed(1_000);
    await publishOneByOne(a, id, events.slice(0, 2), f.live);
    // Batches 3–8 reach the log but never the follower (its channel missed them), and a fold then takes 1–6.
    for (const e of events.slice(2, 8)) await buses.missed(a, id, [e]);
    expect(await foldLog(raw as unknown as Parameters<typeof foldLog>[0], baseKey(id), logKey(id), 6)).toBe(6);
    await publishOneByOne(a, id, events.slice(8), f.live);
    // The gap shows at 9: 3–6 are only in the base now, so the follower gets the base (as of 6), then 7 on.
    expect(f.live.map((e) => e.id)).toEqual([1, 2, ...events.slice(5).map((e) => e.id)]);
    expect(f.live[2]).toEqual({ id: 6, event: "snapshot", data: { message: stateAt(base, events, 6) } });
    expect(f.live.slice(3)).toEqual(events.slice(6));
    // The rebuild rule holds for the follower: what it shows is the whole reply.
    const shown = stateAt(base, f.live, Infinity);
    expect(shown.content).toBe(TEXT.join(""));
    expect(shown.parts).toEqual(stateAt(base, events, events.length).parts);
    f.sub.close();
  });

  it("a gap noticed only at `done`, with batches heard while the log is read: the snapshot, every later event once, and the end", async () => {
    await ready;
    const a = bus({ maxEntries: 1_000 });
    const b = bus();
    const watcher = bus();
    const id = randomUUID();
    const events = runEvents(id, TEXT); // ids 1…n, `done` last
    const n = events.length;
    await a.open(replyMessage(id), 0);
    const f = await followReply(b, id, 0);
    const w = await followReply(watcher, id, 0);
    await publishOneByOne(a, id, events.slice(0, 2), f.live);
    for (const e of events.slice(2, n - 3)) await buses.missed(a, id, [e]);
    expect(await foldLog(raw as unknown as Parameters<typeof foldLog>[0], baseKey(id), logKey(id), n - 6)).toBe(n - 6);
    // b's command connection waits on a list, so its read of the log waits until released.
    const { release } = await buses.hold(b, id);
    try {
      const commands = b.commands;
      a.publish(id, events.slice(n - 3, n - 2)); // shows b the gap: its read of the log waits
      await expect.poll(() => b.commands - commands, { timeout: 10_000 }).toBe(4);
      a.publish(id, events.slice(n - 2, n - 1));
      await expect.poll(() => w.live.at(-1)?.id, { timeout: 10_000 }).toBe(n - 1);
      a.publish(id, events.slice(n - 1)); // `done`, heard while the read still waits
      await w.ended;
      expect(f.live.map((e) => e.id)).toEqual([1, 2]);
    } finally {
      await release();
    }
    await f.ended;
    expect(f.live.map((e) => e.id)).toEqual([1, 2, ...events.slice(n - 7).map((e) => e.id)]);
    expect(f.live[2]).toMatchObject({ id: n - 6, event: "snapshot" });
    expect(f.live.slice(3)).toEqual(events.slice(n - 6));
    expect(stateAt(replyMessage(id), f.live, Infinity).content).toBe(TEXT.join(""));
    f.sub.close();
    w.sub.close();
  });
});

describe("RedisStreamBus: a crash takeover while a reader on another instance is live", () => {
  it("the reader gets the new run's base as a snapshot, then its events: it ends with the saved text, never the dead run's", async () => {
    await ready;
    const [dead, taker, other] = [bus(), bus(), bus()];
    const id = randomUUID();
    await dead.open(replyMessage(id), 0);
    const f = await followReply(other, id, 0);
    const first = runEvents(id, ["Hello", " wor"]).slice(0, 4); // ids 1–4: status, part_start, two deltas
    dead.publish(id, first);
    await expect.poll(() => f.live.length, { timeout: 10_000 }).toBe(4);
    // The dead run's last save had "Hello": the reader holds " wor" beyond it. The taker
    // opens a new run from the save, at ids far above (docs/PROTOCOL.md §1.6, §5.5).
    const saved = { ...replyMessage(id), status: "resuming" as const, content: "Hello", parts: [{ type: "text" as const, text: "Hello" }] };
    await taker.open(saved, 1_000);
    const next: StreamEvent[] = [
      { id: 1_001, event: "snapshot", data: { message: saved } },
      { id: 1_002, event: "status", data: { status: "streaming" } },
      { id: 1_003, event: "delta", data: { index: 0, text: ", world — 日本 👩‍💻" } },
      { id: 1_004, event: "part_stop", data: { index: 0 } },
    ];
    const final = { ...saved, status: "complete" as const, content: "Hello, world — 日本 👩‍💻", parts: [{ type: "text" as const, text: "Hello, world — 日本 👩‍💻" }] };
    taker.publish(id, [...next, { id: 1_005, event: "done", data: { message: final } }]);
    await f.ended;
    // The jump from 4 to 1,001 sent the reader to the log: the new base (1,000) first, then every event of the new run.
    expect(f.live.map((e) => e.id)).toEqual([1, 2, 3, 4, 1_000, 1_001, 1_002, 1_003, 1_004, 1_005]);
    expect(f.live[4]).toEqual({ id: 1_000, event: "snapshot", data: { message: saved } });
    const shown = stateAt(replyMessage(id), f.live, Infinity);
    expect(shown.content).toBe(final.content);
    expect(shown.content).not.toContain("wor,");
    f.sub.close();
  });
});

describe("foldLog", () => {
  it("changes nothing when the base was replaced meanwhile (a Continue's new run began)", async () => {
    await ready;
    const id = randomUUID();
    const [baseKey, log] = [`${prefix}:reply:${id}:base`, logKey(id)];
    const events = run();
    const old = JSON.stringify({ message: replyMessage(id), id: 0 });
    const renewed = JSON.stringify({ message: replyMessage(id), id: 7 });
    for (const e of events.slice(0, 6)) await raw.xAdd(log, `${e.id}-0`, { e: JSON.stringify([e]) });
    await raw.set(baseKey, renewed);
    // The fold read the base before the new run replaced it.
    const stale = { get: async () => old, xRange: raw.xRange.bind(raw), xRevRange: raw.xRevRange.bind(raw), eval: raw.eval.bind(raw) };
    expect(await foldLog(stale as unknown as Parameters<typeof foldLog>[0], baseKey, log, 3)).toBe(0);
    expect(await raw.get(baseKey)).toBe(renewed);
    expect(await raw.xLen(log)).toBe(6);
    // With the base as it is, the same fold goes through.
    expect(await foldLog(raw as unknown as Parameters<typeof foldLog>[0], baseKey, log, 3)).toBe(3);
    expect(await raw.xLen(log)).toBe(3);
  });
});
