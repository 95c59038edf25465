// StreamBus over Redis (scaled mode): any instance replays and follows any
// reply. Per reply, a Redis stream holds the events in batches whose entry id
// is the id of the batch's last event, so "events after N" is an exclusive
// XRANGE from N; a base key holds the reply's state when its run began.
// Live events also go out on a pub/sub channel, one subscriber connection per
// process. A reply's events are written in batches, one XADD and one PUBLISH
// each: what one turn of the event loop published (or a `windowMs` window),
// and, while a batch's write is under way, everything published meanwhile,
// so a slow round trip makes the next batch larger rather than a queue
// longer. Logs expire `retainMs` after `done`; past `maxEntries` batches the
// oldest half is folded into the base (redis-log.ts). A subscriber's side is
// redis-follow.ts.
import { createClient } from "redis";
import type { Message } from "../chat/types";
import type { StreamBus, Subscription } from "./bus";
import type { StreamEvent } from "./events";
import { foldLog, type LogBase } from "./redis-log";
import { followReply, type ReplyLog } from "./redis-follow";
import { errorFields, log } from "../platform/log";
import { metrics } from "../platform/metrics";
import { RedisChannels } from "../platform/redis-channels";

// A connection writes what its commands queued up to its socket's high-water
// mark per turn of the event loop, then waits a turn for 'drain': at Node's
// 16 KiB default, a busy server's batches queued behind that limit for
// seconds (docs/BENCHMARKS.md, "Scaled mode"). 1 MiB lets a turn's writes go.
const WRITE_BUFFER_BYTES = 1 << 20;
// (node-redis passes its socket options on to net.connect; its types omit
// this one. It fills the object in from the URL: one per client.)
type SocketOptions = NonNullable<Parameters<typeof createClient>[0]>["socket"];
// No client-side command timeout (node-redis gives up after 5 s by default):
// under load a write can wait longer than that for the socket, and a write
// given up on while Redis may still run it would only be retried (flush), a
// duplicate and a warning each time. A dead connection still fails them.
const makeClient = (url: string) =>
  createClient({ url, socket: { writableHighWaterMark: WRITE_BUFFER_BYTES } as unknown as SocketOptions, commandOptions: { timeout: 0 } });
type Client = ReturnType<typeof makeClient>;
type Listener = (batch: StreamEvent[]) => void;

export type RedisBusOptions = { windowMs?: number; retainMs?: number; maxEntries?: number; prefix?: string; publishRetryMs?: number };

export class RedisStreamBus implements StreamBus {
  private cmd: Promise<Client> | null = null;
  private sub: Promise<Client> | null = null;
  private readonly channels = new RedisChannels<StreamEvent[]>(
    () => this.subscriber(),
    (raw) => {
      try {
        return JSON.parse(raw) as StreamEvent[];
      } catch {
        return undefined; // not a batch
      }
    },
    () => (this.commands += 1),
  );
  private readonly pending = new Map<string, StreamEvent[]>();
  private readonly flushing = new Map<string, Promise<void>>();
  private readonly lastPublished = new Map<string, number>();
  /** Batches in each open reply's log, as this instance wrote them. */
  private readonly entries = new Map<string, number>();
  private closed = false;
  private readonly windowMs: number;
  private readonly retainMs: number;
  private readonly maxEntries: number;
  private readonly prefix: string;
  private readonly publishRetryMs: number;
  /** Redis commands sent, for the benchmark's commands-per-token figure. */
  commands = 0;

  constructor(
    private readonly url: string,
    opts: RedisBusOptions = {},
  ) {
    this.windowMs = opts.windowMs ?? 0;
    this.retainMs = opts.retainMs ?? 60_000;
    // A batch per turn at rest can mean one per upstream delta. A live reader
    // that missed batches repairs from the log, so folding comes late (half of
    // 100,000 batches is minutes of a reply); a snapshot reads up to this many.
    this.maxEntries = opts.maxEntries ?? 100_000;
    this.prefix = opts.prefix ?? "tether";
    this.publishRetryMs = opts.publishRetryMs ?? 60_000;
  }

  private logKey = (id: string) => `${this.prefix}:reply:${id}:log`;
  private baseKey = (id: string) => `${this.prefix}:reply:${id}:base`;
  private channel = (id: string) => `${this.prefix}:reply:${id}`;

  private connect(): Promise<Client> {
    if (this.closed) return Promise.reject(new Error("the stream bus is closed"));
    this.cmd ??= (async () => {
      const c = makeClient(this.url);
      c.on("error", (e) => log.error({ component: "redis", client: "stream bus", err: errorFields(e) }, "redis error"));
      await c.connect();
      return c;
    })();
    return this.cmd;
  }

  private subscriber(): Promise<Client> {
    this.sub ??= (async () => {
      const c = (await this.connect()).duplicate() as Client;
      c.on("error", (e) => log.error({ component: "redis", client: "stream bus subscriber", err: errorFields(e) }, "redis error"));
      await c.connect();
      return c;
    })();
    return this.sub;
  }

  async open(message: Message, id: number): Promise<void> {
    const c = await this.connect();
    this.commands += 3;
    // The log survives a Continue (ids keep increasing); only its expiry goes.
    const base: LogBase = { message, id };
    const [, , length] = await Promise.all([c.set(this.baseKey(message.id), JSON.stringify(base)), c.persist(this.logKey(message.id)), c.xLen(this.logKey(message.id))]);
    this.lastPublished.set(message.id, id);
    this.entries.set(message.id, length);
  }

  publish(messageId: string, events: StreamEvent[]): void {
    if (!events.length) return;
    if (this.closed) {
      // Shutdown is past its drain; a new connection now would outlive it.
      log.warn({ component: "redis", messageId, events: events.length }, "publish after the stream bus closed: dropped (the saved message keeps the text)");
      return;
    }
    const queue = this.pending.get(messageId);
    if (queue) queue.push(...events);
    else {
      this.pending.set(messageId, [...events]);
      if (!events.some((e) => e.event === "done")) {
        if (this.windowMs > 0) setTimeout(() => void this.flush(messageId), this.windowMs);
        else setImmediate(() => void this.flush(messageId));
      }
    }
    if (events.some((e) => e.event === "done")) void this.flush(messageId);
  }

  /** Writes the pending batch; batches of one reply go out strictly in order. */
  private flush(messageId: string): Promise<void> {
    const prev = this.flushing.get(messageId) ?? Promise.resolve();
    const next = prev.then(async () => {
      const batch = this.pending.get(messageId);
      this.pending.delete(messageId);
      if (!batch?.length) return;
      const last = this.lastPublished.get(messageId) ?? 0;
      const fresh = batch.filter((e) => e.id > last);
      if (!fresh.length) return;
      const lastId = fresh[fresh.length - 1].id;
      this.lastPublished.set(messageId, lastId);
      const payload = JSON.stringify(fresh);
      const done = fresh.some((e) => e.event === "done");
      metrics.redisPublishes.inc();
      // Both in one round trip (node-redis pipelines them). A subscriber that
      // missed this PUBLISH notices at the next batch, which is only sent once
      // this batch's XADD has landed: the log then has it.
      await Promise.all([
        this.retrying(messageId, async (c) => {
          this.commands += 1;
          try {
            await c.xAdd(this.logKey(messageId), `${lastId}-0`, { e: payload });
          } catch (e) {
            // Already there: an earlier attempt landed although its answer was lost.
            if (!/equal or smaller/i.test(String((e as Error)?.message))) throw e;
          }
        }),
        this.retrying(messageId, async (c) => {
          this.commands += 1;
          await c.publish(this.channel(messageId), payload); // a duplicate is dropped by id
        }),
      ]);
      if (done) {
        await this.retrying(messageId, async (c) => {
          this.commands += 2;
          await Promise.all([c.pExpire(this.logKey(messageId), this.retainMs), c.pExpire(this.baseKey(messageId), this.retainMs)]);
        });
        this.lastPublished.delete(messageId);
        this.entries.delete(messageId);
      } else {
        const length = (this.entries.get(messageId) ?? 0) + 1;
        this.entries.set(messageId, length);
        if (length > this.maxEntries) await this.fold(messageId);
      }
    });
    const settled = next.finally(() => {
      if (this.flushing.get(messageId) === settled) this.flushing.delete(messageId);
    });
    this.flushing.set(messageId, settled);
    return settled;
  }

  /** Folds the log's oldest half into the base (redis-log.ts); a failed fold is tried again at the next batch. */
  private async fold(messageId: string): Promise<void> {
    try {
      this.commands += 3;
      const folded = await foldLog(await this.connect(), this.baseKey(messageId), this.logKey(messageId), Math.ceil(this.maxEntries / 2));
      this.entries.set(messageId, (this.entries.get(messageId) ?? folded) - folded);
    } catch (e) {
      log.warn({ component: "redis", messageId, err: errorFields(e) }, "could not fold the log");
    }
  }

  /**
   * Runs a write until it succeeds: a batch that never reached Redis is text
   * lost for every live viewer. Backs off up to 1 s between attempts and
   * gives up after `publishRetryMs` (REDIS_PUBLISH_RETRY_MS) (the saved message still has the text).
   */
  private async retrying(messageId: string, write: (c: Client) => Promise<void>): Promise<void> {
    const deadline = Date.now() + this.publishRetryMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await write(await this.connect());
      } catch (e) {
        if (Date.now() >= deadline) {
          log.error({ component: "redis", messageId, attempts: attempt + 1, err: errorFields(e) }, "redis publish failed; giving up");
          return;
        }
        if (attempt === 0) log.warn({ component: "redis", messageId, err: errorFields(e) }, "redis publish failed; retrying");
        await new Promise((r) => setTimeout(r, Math.min(1_000, 50 * 2 ** attempt)));
      }
    }
  }

  private listen(messageId: string, fn: Listener): Promise<() => void> {
    return this.channels.listen(this.channel(messageId), fn);
  }

  subscribe(messageId: string, after: number | null, onEvent: (e: StreamEvent) => void, onLost?: () => void): Promise<Subscription> {
    const log: ReplyLog = { base: this.baseKey(messageId), log: this.logKey(messageId) };
    return followReply(
      {
        connect: () => this.connect(),
        listen: (fn) => this.listen(messageId, fn),
        count: (n) => (this.commands += n),
      },
      messageId,
      log,
      after,
      onEvent,
      onLost,
    );
  }

  async ping(): Promise<void> {
    this.commands += 1;
    await (await this.connect()).ping();
  }

  /** Waits for pending publishes and closes the connections (tests, shutdown). */
  async close(): Promise<void> {
    // Until nothing is left: a reply may publish for the first time meanwhile.
    while (this.pending.size || this.flushing.size) {
      for (const id of [...this.pending.keys()]) await this.flush(id);
      await Promise.all([...this.flushing.values()]);
    }
    this.closed = true;
    const [cmd, sub] = [this.cmd, this.sub];
    this.cmd = this.sub = null;
    this.channels.clear();
    await Promise.all([sub?.then((c) => c.close()).catch(() => {}), cmd?.then((c) => c.close()).catch(() => {})]);
  }
}
