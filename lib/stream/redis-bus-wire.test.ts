// The Redis bus's use of Redis itself, against the Redis on this machine: the
// keys and channel it uses, how many commands each step costs (the
// benchmark's commands-per-token figure), expiry, subscriptions released,
// and what it does when Redis refuses a write or a channel carries garbage.
import { afterAll, describe, expect, it, vi } from "vitest";
import { randomUUID } from "node:crypto";
import net from "node:net";
import type { RedisStreamBus } from "./redis-bus";
import { captureLogs } from "../platform/log";
import { followReply as follow, redisBuses, replyMessage as message, runEvents as script } from "../testing/redis-bus-fixtures";

const buses = redisBuses("wire");
const { prefix, raw, ready, bus } = buses;
afterAll(() => buses.cleanup());

const subscribers = async (channel: string) => {
  await ready;
  const counts = (await raw.pubSubNumSub(channel)) as Record<string, number>;
  return Number(counts[channel] ?? 0);
};
const flush = (b: RedisStreamBus, id: string) => (b as unknown as { flush(id: string): Promise<void> }).flush(id);

describe("RedisStreamBus on the wire", () => {
  it("opens its connections with a 1 MiB write buffer: a busy turn's batches go out in that turn, not 16 KiB per turn", async () => {
    // node-redis stops writing a turn's queued commands once the socket's
    // buffer passes its high-water mark; at Node's 16 KiB default a loaded
    // server's batches queued for seconds (docs/BENCHMARKS.md, "Scaled mode").
    const connect = vi.spyOn(net, "createConnection");
    try {
      const a = bus();
      const id = randomUUID();
      await a.open(message(id), 0);
      await follow(a, id, 0); // the subscriber connection too
      const marks = connect.mock.calls.map(([options]) => (options as { writableHighWaterMark?: number }).writableHighWaterMark);
      expect(marks).toEqual([1 << 20, 1 << 20]);
    } finally {
      connect.mockRestore();
    }
  });

  it("counts each Redis command it sends: 3 to open, 5 to attach, 2 per batch, 2 more to expire", async () => {
    const a = bus();
    const b = bus();
    const id = randomUUID();
    const events = script(id, ["one ", "two"]);
    await a.open(message(id), 0);
    expect(a.commands).toBe(3); // SET base, PERSIST log, XLEN log
    const f = await follow(b, id, 0);
    expect(b.commands).toBe(5); // SUBSCRIBE, GET base, XRANGE, XREVRANGE, GET base (redis-log.ts)
    a.publish(id, events.slice(0, 3));
    await flush(a, id);
    expect(a.commands).toBe(5); // XADD, PUBLISH
    a.publish(id, events.slice(2, 3)); // published already (an orphan's end announced twice): nothing sent
    await flush(a, id);
    expect(a.commands).toBe(5);
    await expect.poll(() => f.live.length).toBe(3);
    a.publish(id, events.slice(3));
    await f.ended;
    await flush(a, id);
    expect(a.commands).toBe(9); // XADD, PUBLISH, PEXPIRE log, PEXPIRE base
    expect(b.commands).toBe(5); // consecutive live events need no read
    expect(f.all()).toEqual(events);
    await a.ping();
    expect(a.commands).toBe(10);
    f.sub.close();
    await expect.poll(() => b.commands).toBe(6); // UNSUBSCRIBE
  });

  it("keeps its keys under the prefix (default `tether`) and expires both a minute after `done` by default", async () => {
    const a = bus({ prefix: undefined }); // the default prefix
    const id = randomUUID();
    await a.open(message(id), 0);
    const f = await follow(a, id, 0);
    expect(await subscribers(`tether:reply:${id}`)).toBe(1);
    a.publish(id, script(id, ["x"]));
    await f.ended;
    await flush(a, id);
    for (const key of [`tether:reply:${id}:log`, `tether:reply:${id}:base`]) {
      const ttl = await raw.pTTL(key);
      expect(ttl, key).toBeGreaterThan(50_000);
      expect(ttl, key).toBeLessThanOrEqual(60_000);
    }
    f.sub.close();
    await raw.del([`tether:reply:${id}:log`, `tether:reply:${id}:base`]);
  });

  it("a batch that holds `done` goes out at once, with what waited for the window", async () => {
    const a = bus({ windowMs: 600_000 });
    const id = randomUUID();
    const events = script(id, ["a", "b", "c"]);
    await a.open(message(id), 0);
    const f = await follow(bus(), id, 0);
    a.publish(id, events.slice(0, 4)); // waits for a window that outlasts the test
    a.publish(id, events.slice(4));
    await f.ended;
    expect(f.all()).toEqual(events);
  });

  it("a batch without `done` goes out after the window, not only with the next one", async () => {
    const a = bus({ windowMs: 5 });
    const id = randomUUID();
    const events = script(id, ["a", "b"]);
    await a.open(message(id), 0);
    const f = await follow(bus(), id, 0);
    a.publish(id, events.slice(0, 2));
    await expect.poll(() => f.live).toEqual(events.slice(0, 2));
  });

  it("trims a reply's log to about maxEntries batches", async () => {
    const a = bus({ maxEntries: 1 });
    const id = randomUUID();
    await a.open(message(id), 0);
    for (let n = 1; n <= 250; n++) {
      a.publish(id, [{ id: n, event: "delta", data: { index: 0, text: "x" } }]);
      await flush(a, id);
    }
    // Trimming with `~` drops whole nodes (100 entries each): some remain.
    expect(await raw.xLen(`${prefix}:reply:${id}:log`)).toBeLessThan(250);
  });

  it("subscribes once per channel and unsubscribes when the last listener leaves; a new listener after that hears again", async () => {
    const a = bus();
    const b = bus();
    const id = randomUUID();
    const channel = `${prefix}:reply:${id}`;
    const events = script(id, ["p", "q", "r"]);
    await a.open(message(id), 0);
    const first = await follow(b, id, 0);
    const second = await follow(b, id, 0);
    expect(await subscribers(channel)).toBe(1);
    first.sub.close();
    a.publish(id, events.slice(0, 3));
    await expect.poll(() => second.live.length).toBe(3); // still subscribed
    expect(first.live).toHaveLength(0);
    second.sub.close();
    await expect.poll(() => subscribers(channel)).toBe(0);
    const third = await follow(b, id, 3);
    expect(await subscribers(channel)).toBe(1);
    a.publish(id, events.slice(3));
    await third.ended;
    expect(third.all()).toEqual(events.slice(3));
    third.sub.close();
    await expect.poll(() => subscribers(channel)).toBe(0);
  });

  it("a listener that comes back before the unsubscribe ran keeps the subscription: no UNSUBSCRIBE is sent", async () => {
    const a = bus();
    const b = bus();
    const id = randomUUID();
    const events = script(id, ["u", "v"]);
    await a.open(message(id), 0);
    const first = await follow(b, id, 0);
    const before = b.commands;
    first.sub.close(); // its UNSUBSCRIBE waits for its turn…
    const again = await follow(b, id, 0); // …behind which this SUBSCRIBE is queued
    a.publish(id, events);
    await again.ended;
    expect(again.all()).toEqual(events);
    expect(await subscribers(`${prefix}:reply:${id}`)).toBe(1);
    expect(b.commands - before).toBe(5); // SUBSCRIBE, GET, XRANGE, XREVRANGE, GET: the UNSUBSCRIBE was skipped
    again.sub.close();
  });

  it("events heard live past a jump that the log does not have are delivered, all of them, in order", async () => {
    const a = bus();
    const id = randomUUID();
    await a.open(message(id), 0);
    const f = await follow(bus(), id, 0);
    const events = script(id, ["j", "k"], 40); // ids 41…: nothing at 1…40 anywhere
    await ready;
    await raw.publish(`${prefix}:reply:${id}`, JSON.stringify(events));
    await f.ended;
    expect(f.live).toEqual(events);
  });

  it("sends nothing at or below the id its log was opened at (a Continue's run starts above it)", async () => {
    const a = bus();
    const id = randomUUID();
    await a.open(message(id), 7);
    const before = a.commands;
    a.publish(id, [{ id: 7, event: "status", data: { status: "streaming" } }]);
    await flush(a, id);
    expect(a.commands).toBe(before);
  });

  it("every subscriber that attaches while events stream gets each event after its id exactly once, in order", async () => {
    const a = bus({ windowMs: 1 });
    const b = bus();
    const id = randomUUID();
    const events = script(
      id,
      Array.from({ length: 300 }, (_, i) => `w${i} `),
    );
    await a.open(message(id), 0);
    const followers: { after: number | null; f: Awaited<ReturnType<typeof follow>> }[] = [];
    const attaching: Promise<void>[] = [];
    let early = 0;
    for (const [i, e] of events.entries()) {
      if (i === events.length - 50) early = (await Promise.all(attaching)).length; // these attached well before the end
      a.publish(id, [e]);
      if (i % 10 === 5 && e.event !== "done") {
        // Attach while batches are in flight: the read races the live ones.
        const after = i % 20 === 5 ? null : Math.max(0, e.id - 3);
        attaching.push(follow(b, id, after).then((f) => void followers.push({ after, f })));
      }
      if (i % 3 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(attaching);
    expect(followers.slice(0, early).every(({ f }) => f.sub.start.kind !== "unknown")).toBe(true);
    expect(early).toBeGreaterThan(20);
    for (const { after, f } of followers) {
      if (f.sub.start.kind === "unknown") continue; // attached after the end: the database has it
      await expect.poll(() => f.all().at(-1)?.event, { timeout: 20_000 }).toBe("done");
      const got = f.all();
      if (after === null) {
        expect(f.sub.start.kind).toBe("snapshot");
        const from = f.sub.start.kind === "snapshot" ? f.sub.start.id : -1;
        expect(got.map((e) => e.id)).toEqual(events.filter((e) => e.id > from).map((e) => e.id));
      } else expect(got).toEqual(events.filter((e) => e.id > after));
      f.sub.close();
    }
  });

  it("a batch heard while a subscriber reads the log, newer than what the read returns, is handed over (here the reply's `done`)", async () => {
    const a = bus();
    const b = bus();
    const id = randomUUID();
    const events = script(id, ["x", "y"]);
    const done = events.at(-1)!;
    await a.open(message(id), 0);
    a.publish(id, events.slice(0, -1));
    await flush(a, id);
    const earlier = await follow(b, id, 0); // on the same channel of b: hears each batch in the same turn
    // The next subscriber's read returns the log without `done`; before that
    // answer reaches it, `done` is written and heard live.
    const client = await (b as unknown as { connect(): Promise<{ xRevRange: (...args: unknown[]) => Promise<unknown> }> }).connect();
    const read = client.xRevRange;
    client.xRevRange = async (...args: unknown[]) => {
      client.xRevRange = read;
      const answer = await read.apply(client, args);
      a.publish(id, [done]);
      await earlier.ended;
      return answer;
    };
    const late = await follow(b, id, 2);
    expect(late.sub.start).toEqual({ kind: "replay", events: events.slice(2, -1) });
    await new Promise((r) => setImmediate(r));
    expect(late.live).toEqual([done]);
    late.sub.close();
    earlier.sub.close();
  });

  it("ignores what is not a batch on a reply's channel, and a batch heard twice is delivered once", async () => {
    const a = bus();
    const id = randomUUID();
    const channel = `${prefix}:reply:${id}`;
    const events = script(id, ["m", "n"]);
    await a.open(message(id), 0);
    const f = await follow(bus(), id, 0);
    await ready;
    // Sent together, so they tend to arrive in one read: garbage must not cost the rest.
    await Promise.all(
      ["not json {", JSON.stringify(events.slice(0, 2)), JSON.stringify(events.slice(0, 3)), JSON.stringify(events.slice(3))].map((m) => raw.publish(channel, m)),
    );
    await f.ended;
    expect(f.live).toEqual(events);
  });

  it("retries a write Redis refuses, then gives up after publishRetryMs; live viewers still get every event", async () => {
    const logs = captureLogs("warn");
    try {
      const a = bus({ publishRetryMs: 2_000 });
      const id = randomUUID();
      const events = script(id, ["lost ", "log"]);
      await a.open(message(id), 0);
      const f = await follow(bus(), id, null);
      await raw.set(`${prefix}:reply:${id}:log`, "not a stream"); // every XADD fails: WRONGTYPE
      const before = a.commands;
      a.publish(id, events);
      await f.ended;
      await flush(a, id); // resolves: it gave up
      expect(f.live).toEqual(events);
      expect(a.commands - before).toBeGreaterThanOrEqual(4); // XADD at least twice, PUBLISH, PEXPIREs
      const lines = logs.entries().filter((l) => l.messageId === id);
      expect(lines.filter((l) => l.msg === "redis publish failed; retrying")).toHaveLength(1);
      const gaveUp = lines.filter((l) => l.msg === "redis publish failed; giving up");
      expect(gaveUp).toHaveLength(1);
      expect(gaveUp[0].attempts).toBeGreaterThanOrEqual(2);
    } finally {
      logs.restore();
    }
  });

  it("a batch already in the log (an earlier XADD landed, its answer lost) is not retried", async () => {
    const logs = captureLogs("warn");
    try {
      const a = bus();
      const id = randomUUID();
      const events = script(id, ["again"]);
      await a.open(message(id), 0);
      const f = await follow(bus(), id, null);
      await raw.xAdd(`${prefix}:reply:${id}:log`, `${events.at(-1)!.id}-0`, { e: JSON.stringify(events) });
      a.publish(id, events);
      await f.ended;
      await flush(a, id);
      expect(logs.entries().filter((l) => l.messageId === id)).toEqual([]);
      expect(await raw.xLen(`${prefix}:reply:${id}:log`)).toBe(1);
    } finally {
      logs.restore();
    }
  });
});
