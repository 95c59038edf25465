// The Redis bus against the Redis running on this machine, with two bus
// instances standing in for two app servers.
import { afterAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { createClient } from "redis";
import type { StreamEvent } from "./events";
import { applyEvent } from "./reduce";
import { followReply as follow, REDIS_URL as URL, redisBuses, replyMessage as message } from "../testing/redis-bus-fixtures";

const buses = redisBuses("test");
const { prefix, bus } = buses;
afterAll(() => buses.cleanup());

function script(id: string, pieces: string[], start = 0): StreamEvent[] {
  const ev: StreamEvent[] = [];
  let n = start;
  ev.push({ id: ++n, event: "status", data: { status: "streaming" } });
  ev.push({ id: ++n, event: "part_start", data: { index: 0, part: { type: "text", text: "" } } });
  for (const t of pieces) ev.push({ id: ++n, event: "delta", data: { index: 0, text: t } });
  ev.push({ id: ++n, event: "part_stop", data: { index: 0 } });
  ev.push({ id: ++n, event: "status", data: { status: "complete" } });
  const text = pieces.join("");
  ev.push({ id: ++n, event: "done", data: { message: { ...message(id), content: text, parts: [{ type: "text", text }], status: "complete" } } });
  return ev;
}

const PIECES = ["données", ": ", "x\n\n", "id: 4\n", "event: done", "👩‍💻", "e\u0301", "日本", "!"];

describe("RedisStreamBus", () => {
  it("replays exactly the events after any N on another instance, then follows live", async () => {
    const a = bus();
    const b = bus();
    const id = randomUUID();
    const events = script(id, PIECES);
    await a.open(message(id), 0);
    a.publish(id, events.slice(0, 6));
    await expect.poll(async () => (await b.subscribe(id, 0, () => {})).start).toMatchObject({ kind: "replay", events: events.slice(0, 6) });
    const followers = await Promise.all([0, 1, 3, 6].map((n) => follow(b, id, n)));
    a.publish(id, events.slice(6));
    for (const [i, n] of [0, 1, 3, 6].entries()) {
      const f = followers[i];
      await f.ended;
      const start = f.sub.start.kind === "replay" ? f.sub.start.events : [];
      expect([...start, ...f.live].map((e) => e.id)).toEqual(events.filter((e) => e.id > n).map((e) => e.id));
      f.sub.close();
    }
  });

  it("a live batch that never reached a subscriber is read from the log when the next one shows the gap", async () => {
    const a = bus();
    const b = bus();
    const id = randomUUID();
    const events = script(id, PIECES);
    await a.open(message(id), 0);
    const f = await follow(b, id, 0);
    a.publish(id, events.slice(0, 3));
    await expect.poll(() => f.live.length).toBe(3);
    // A batch lands in the log but its PUBLISH is lost (as when a subscriber
    // connection drops, or a publish failed): written here without the PUBLISH.
    const raw = createClient({ url: URL });
    await raw.connect();
    const missed = events.slice(3, 7);
    await raw.xAdd(`${prefix}:reply:${id}:log`, `${missed.at(-1)!.id}-0`, { e: JSON.stringify(missed) });
    await raw.close();
    // The publisher's own bookkeeping moves past them too, then goes on.
    (a as unknown as { lastPublished: Map<string, number> }).lastPublished.set(id, missed.at(-1)!.id);
    a.publish(id, events.slice(7, 9));
    await expect.poll(() => f.live.length).toBe(9); // the gap, repaired from the log, and the batch that showed it
    a.publish(id, events.slice(9)); // live again once the repair is over
    await f.ended;
    expect(f.live.map((e) => e.id)).toEqual(events.map((e) => e.id));
    let m = message(id);
    const pending = new Map<number, string>();
    for (const e of f.live) m = applyEvent(m, e, pending);
    expect(m.content).toBe(PIECES.join(""));
    f.sub.close();
  });

  it("ids that jump with nothing in between (after a crash) are delivered as they are", async () => {
    const a = bus();
    const b = bus();
    const id = randomUUID();
    await a.open(message(id), 0);
    const f = await follow(b, id, 0);
    const first = script(id, ["before "]).slice(0, 3);
    a.publish(id, first);
    await expect.poll(() => f.live.length).toBe(3);
    const after = script(id, ["after"], 1000); // a resumed run continues above its ceiling
    a.publish(id, after);
    await f.ended;
    expect(f.live.map((e) => e.id)).toEqual([...first, ...after].map((e) => e.id));
    f.sub.close();
  });

  it("gives a snapshot that rebuilds the text exactly, when no usable id is given", async () => {
    const a = bus();
    const b = bus();
    const id = randomUUID();
    const events = script(id, PIECES);
    await a.open(message(id), 0);
    a.publish(id, events.slice(0, 7));
    await expect
      .poll(async () => {
        const s = await b.subscribe(id, null, () => {});
        s.close();
        return s.start.kind === "snapshot" ? s.start.id : -1;
      })
      .toBe(7);
    const f = await follow(b, id, null);
    a.publish(id, events.slice(7));
    await f.ended;
    expect(f.sub.start.kind).toBe("snapshot");
    if (f.sub.start.kind !== "snapshot") return;
    let m = f.sub.start.message;
    const pending = new Map<number, string>();
    for (const e of f.live) m = applyEvent(m, e, pending);
    expect(m.content).toBe(PIECES.join(""));
    expect(f.live[0].id).toBe(f.sub.start.id + 1);
  });

  it("hands a finished reply to the database, keeps ids across a Continue, and expires the log", async () => {
    const a = bus({ retainMs: 5_000 });
    const id = randomUUID();
    const first = script(id, ["abc "]);
    await a.open(message(id), 0);
    const f = await follow(a, id, 0);
    a.publish(id, first);
    await f.ended;
    const last = first[first.length - 1].id;
    expect((await a.subscribe(id, null, () => {})).start.kind).toBe("unknown");
    expect((await a.subscribe(id, last, () => {})).start.kind).toBe("unknown");
    const c = createClient({ url: URL });
    await c.connect();
    const ttl = await c.pTTL(`${prefix}:reply:${id}:log`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5_000);
    // Continue: a new run from the final id; the log lives on without expiry.
    await a.open({ ...message(id), content: "abc " }, last);
    expect(await c.pTTL(`${prefix}:reply:${id}:log`)).toBe(-1);
    await c.close();
    const second = script(id, ["def"], last);
    const g = await follow(a, id, last);
    a.publish(id, second);
    await g.ended;
    const got = g.sub.start.kind === "replay" ? [...g.sub.start.events, ...g.live] : [];
    expect(got.map((e) => e.id)).toEqual(second.map((e) => e.id));
  });

  it("where a late subscriber starts, for a run whose log begins above 0 (a Continue or a resume): by its id, mid-run and after the end", async () => {
    const a = bus();
    const other = bus(); // another instance reads the log
    const id = randomUUID();
    const BASE = 1007;
    const kept = { ...message(id), content: "kept ", parts: [{ type: "text" as const, text: "kept " }], status: "resuming" as const };
    await a.open(kept, BASE);
    const run = script(id, ["one ", "two ", "three"], BASE).map((e) =>
      e.event === "part_start"
        ? { ...e, data: { index: 1, part: { type: "text" as const, text: "" } } }
        : e.event === "delta" || e.event === "part_stop"
          ? { ...e, data: { ...e.data, index: 1 } }
          : e,
    ) as StreamEvent[];
    const half = run.findIndex((e) => e.event === "delta" && "text" in e.data && e.data.text === "two ") + 1; // up to "two "
    const watcher = await follow(other, id, BASE);
    a.publish(id, run.slice(0, half));
    await expect.poll(() => watcher.live.length, { timeout: 10_000 }).toBe(half);
    const midId = run[half - 1].id;

    // Mid-run: an id below the log's start, or none, gets the state so far; an id inside it, exactly what followed.
    for (const after of [null, 5]) {
      const start = (await other.subscribe(id, after, () => {})).start;
      expect(start.kind).toBe("snapshot");
      if (start.kind !== "snapshot") continue;
      expect(start.id).toBe(midId);
      expect(start.message.content).toBe("kept one two ");
    }
    for (const after of [BASE, BASE + 2, midId]) {
      const start = (await other.subscribe(id, after, () => {})).start;
      expect(start).toEqual({ kind: "replay", events: run.slice(0, half).filter((e) => e.id > after) });
    }

    a.publish(id, run.slice(half, -1));
    await expect.poll(() => watcher.live.length, { timeout: 10_000 }).toBe(run.length - 1);
    a.publish(id, run.slice(-1)); // `done` alone, as a generation sends it, with nothing waiting: it goes out at once
    await watcher.ended;
    const lastId = run.at(-1)!.id;
    // After the end: the database has it all, unless the id given is inside this run's log.
    for (const after of [null, 5, BASE - 1, lastId, lastId + 3]) expect((await other.subscribe(id, after, () => {})).start.kind).toBe("unknown");
    for (const after of [BASE, midId]) expect((await other.subscribe(id, after, () => {})).start).toEqual({ kind: "replay", events: run.filter((e) => e.id > after) });
  });

  it("a Continue after a crash: an id from the run before it gets the state so far, with that run's text once", async () => {
    const a = bus();
    const other = bus();
    const id = randomUUID();
    await a.open(message(id), 0);
    // The first run's process dies after "one two ": its log has no `done`.
    const first = script(id, ["one ", "two "]).slice(0, 4);
    const watcher = await follow(other, id, 0);
    a.publish(id, first);
    await expect.poll(() => watcher.live.length, { timeout: 10_000 }).toBe(first.length);
    watcher.sub.close();
    // The saved partial is continued on a run whose ids jump past the dead one's (docs/PROTOCOL.md §5).
    const BASE = 2000;
    const kept = { ...message(id), content: "one two ", parts: [{ type: "text" as const, text: "one two " }], status: "resuming" as const };
    await a.open(kept, BASE);
    const second = await follow(other, id, BASE);
    const run: StreamEvent[] = [
      { id: BASE + 1, event: "status", data: { status: "streaming" } },
      { id: BASE + 2, event: "delta", data: { index: 0, text: "three" } },
    ];
    a.publish(id, run);
    await expect.poll(() => second.live.length, { timeout: 10_000 }).toBe(run.length);

    for (const after of [null, 2, first.at(-1)!.id]) {
      const start = (await other.subscribe(id, after, () => {})).start;
      expect(start.kind).toBe("snapshot");
      if (start.kind !== "snapshot") continue;
      expect(start.id).toBe(BASE + 2);
      expect(start.message.content).toBe("one two three");
    }
    second.sub.close();
  });

  it("close() writes what is still waiting for its window before it lets go (shutdown)", async () => {
    const a = bus({ windowMs: 60_000 }); // nothing would go out by itself for a minute
    const id = randomUUID();
    await a.open(message(id), 0);
    const events = script(id, ["last words"]).slice(0, 4);
    a.publish(id, events);
    await a.close();
    const start = (await bus().subscribe(id, 0, () => {})).start;
    expect(start).toEqual({ kind: "replay", events });
  });

  it("coalesces deltas: few Redis commands per 1,000 tokens", async () => {
    const a = bus({ windowMs: 15 });
    const id = randomUUID();
    const pieces = Array.from({ length: 1000 }, (_, i) => `t${i} `);
    const events = script(id, pieces);
    await a.open(message(id), 0);
    const f = await follow(bus(), id, 0);
    const before = a.commands;
    // A fast model: 1,000 tokens over ~1 s, one event per millisecond.
    for (const e of events) {
      a.publish(id, [e]);
      if (e.id % 5 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    await f.ended;
    const used = a.commands - before;
    // 2 commands per batch (XADD + PUBLISH), 2 more at the end. Batches go out
    // on a timer, so each holds at least one group of 5 published in one go,
    // however slow the machine: at most 200 batches (~70 on an idle one),
    // against 2,000+ commands without coalescing.
    expect(used).toBeLessThanOrEqual(2 * (events.length / 5) + 2);
    const got = f.sub.start.kind === "replay" ? [...f.sub.start.events, ...f.live] : [];
    expect(got.map((e) => e.id)).toEqual(events.map((e) => e.id));
    console.log(`redis commands for 1,000 tokens: ${used}`);
  });
});
