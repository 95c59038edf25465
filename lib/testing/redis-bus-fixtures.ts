// What the Redis bus's tests share: buses under one key prefix per file,
// removed with their keys afterwards, a reply's events as a run publishes
// them, and a subscriber that records everything it is given.
import { randomUUID } from "node:crypto";
import { createClient } from "redis";
import { RedisStreamBus, type RedisBusOptions } from "../stream/redis-bus";
import type { StreamEvent } from "../stream/events";
import type { Message } from "../chat/types";

export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** Buses for one test file, under `prefix`; `cleanup` closes them and deletes their keys. */
export function redisBuses(name: string) {
  const prefix = `tether-${name}-${process.pid}-${Date.now()}`;
  const made: RedisStreamBus[] = [];
  const raw = createClient({ url: REDIS_URL });
  const ready = raw.connect();
  return {
    prefix,
    /** A plain client for what the bus would not do (await `ready` before its first command). */
    raw,
    ready,
    /** Writes `batch` to the reply's log without its PUBLISH, as a batch a subscriber's channel never carried. */
    async missed(publisher: RedisStreamBus, id: string, batch: StreamEvent[]) {
      await ready;
      await raw.xAdd(`${prefix}:reply:${id}:log`, `${batch.at(-1)!.id}-0`, { e: JSON.stringify(batch) });
      (publisher as unknown as { lastPublished: Map<string, number> }).lastPublished.set(id, batch.at(-1)!.id);
    },
    /**
     * Holds `b`'s command connection on a list (a bounded wait, so a failure
     * cannot hold it past the test): its next reads queue behind until `release`.
     */
    async hold(b: RedisStreamBus, name: string) {
      await ready;
      const key = `${prefix}:hold:${name}`;
      const waiting = (await (b as unknown as { connect(): Promise<{ blPop(k: string, s: number): Promise<unknown> }> }).connect()).blPop(key, 30);
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          await raw.lPush(key, "go");
          await waiting;
        },
      };
    },
    bus(o: RedisBusOptions = {}) {
      const b = new RedisStreamBus(REDIS_URL, { prefix, ...o });
      made.push(b);
      return b;
    },
    async cleanup() {
      await Promise.all(made.map((b) => b.close()));
      await ready;
      for await (const keys of raw.scanIterator({ MATCH: `${prefix}:*`, COUNT: 500 })) if (keys.length) await raw.del(keys);
      await raw.close();
    },
  };
}

export function replyMessage(id: string): Message {
  const now = new Date().toISOString();
  return { id, conversationId: randomUUID(), role: "assistant", content: "", parts: [], status: "pending", metadata: {}, createdAt: now, updatedAt: now };
}

/** A run's events for `text`, with ids from `start + 1`, ending in `done`. */
export function runEvents(id: string, text: string[], start = 0): StreamEvent[] {
  let n = start;
  const done = { ...replyMessage(id), content: text.join(""), parts: [{ type: "text" as const, text: text.join("") }], status: "complete" as const };
  return [
    { id: ++n, event: "status", data: { status: "streaming" } },
    { id: ++n, event: "part_start", data: { index: 0, part: { type: "text", text: "" } } },
    ...text.map((t) => ({ id: ++n, event: "delta" as const, data: { index: 0, text: t } })),
    { id: ++n, event: "part_stop", data: { index: 0 } },
    { id: ++n, event: "done", data: { message: done } },
  ];
}

/** Every event a subscriber gets (start and live), and a promise of `done`. */
export async function followReply(b: RedisStreamBus, id: string, after: number | null) {
  const live: StreamEvent[] = [];
  let finish!: () => void;
  const ended = new Promise<void>((r) => (finish = r));
  const sub = await b.subscribe(id, after, (e) => {
    live.push(e);
    if (e.event === "done") finish();
  });
  const all = () => [...(sub.start.kind === "replay" ? sub.start.events : []), ...live];
  return { sub, live, ended, all };
}
