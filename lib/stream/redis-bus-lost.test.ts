// A live Redis subscriber that missed batches reads them back from the log
// (redis-bus.ts). When the log cannot give them back (it is gone, or its read
// fails), going on would skip text: the subscription ends instead, through
// `onLost`, and a new one from the last id it delivered gets the rest.
import { afterAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import type { StreamEvent } from "./events";
import { applyEvent } from "./reduce";
import { captureLogs } from "../platform/log";
import { redisBuses, replyMessage, runEvents } from "../testing/redis-bus-fixtures";

const buses = redisBuses("lost");
const { prefix, raw, ready, bus } = buses;
afterAll(() => buses.cleanup());
const PIECES = ["données", ": ", "x\n\n", "id: 4\n", "event: done", "👩‍💻", "e\u0301", "日本", "!", "中文", "."];
const keys = (id: string) => ({ log: `${prefix}:reply:${id}:log`, base: `${prefix}:reply:${id}:base`, channel: `${prefix}:reply:${id}` });
const listeners = async (channel: string) => Number(((await raw.pubSubNumSub(channel)) as Record<string, number>)[channel] ?? 0);

/** A reply published on `a`, followed live from 0 on another bus whose channel then misses events 4–6. */
async function gapAfterThree() {
  await ready;
  const a = bus();
  const b = bus();
  const id = randomUUID();
  const events = runEvents(id, PIECES); // ids 1…n, `done` last
  await a.open(replyMessage(id), 0);
  const live: StreamEvent[] = [];
  let lost = 0;
  const sub = await b.subscribe(
    id,
    0,
    (e) => live.push(e),
    () => (lost += 1),
  );
  a.publish(id, events.slice(0, 3));
  await expect.poll(() => live.length, { timeout: 10_000 }).toBe(3);
  await buses.missed(a, id, events.slice(3, 6));
  expect(await listeners(keys(id).channel)).toBe(1);
  return { a, b, id, events, live, sub, lost: () => lost };
}

describe("RedisStreamBus: missed events the log cannot give back", () => {
  it("the log is gone: the subscription ends, told once, delivering nothing past the gap, and lets go of its channel", async () => {
    const { a, id, events, live, sub, lost } = await gapAfterThree();
    await raw.del([keys(id).log, keys(id).base]); // expired, or Redis lost it
    a.publish(id, events.slice(6, 8)); // shows the gap
    await expect.poll(lost, { timeout: 10_000 }).toBe(1);
    await expect.poll(() => listeners(keys(id).channel), { timeout: 10_000 }).toBe(0);
    a.publish(id, events.slice(8)); // the rest, `done` included, reaches no one here
    await expect.poll(async () => (await raw.xLen(keys(id).log)) > 0, { timeout: 10_000 }).toBe(true);
    expect(live).toEqual(events.slice(0, 3));
    expect(lost()).toBe(1);
    sub.close();
  });

  it("the log cannot be read: the failure is logged, the subscription ends, and resuming from its last id gets the rest exactly", async () => {
    const logs = captureLogs("warn");
    try {
      const { a, b, id, events, live, sub, lost } = await gapAfterThree();
      const base = (await raw.get(keys(id).base))!;
      await raw.set(keys(id).base, "{not json");
      a.publish(id, events.slice(6, 8));
      await expect.poll(lost, { timeout: 10_000 }).toBe(1);
      expect(logs.entries().some((e) => e.msg === "could not read missed events from the log" && e.messageId === id)).toBe(true);
      expect(live).toEqual(events.slice(0, 3));
      sub.close();
      // The client resumes by the last id it got, once the log reads again.
      await raw.set(keys(id).base, base);
      const again = await b.subscribe(id, live.at(-1)!.id, () => {});
      again.close();
      expect(again.start).toEqual({ kind: "replay", events: events.slice(3, 8) });
      const text = [...live, ...(again.start.kind === "replay" ? again.start.events : []), ...events.slice(8)].reduce(
        (m, e) => applyEvent(m, e, new Map()),
        replyMessage(id),
      ).content;
      expect(text).toBe(PIECES.join(""));
    } finally {
      logs.restore();
    }
  });
});
