// UserEventBus over Redis (scaled mode): an event published on any instance
// reaches the user's subscribers on every instance. Per user, a counter key
// (ids; started at the time it is made, see memory-bus.ts) and a Redis stream
// holding the newest EVENT_LOG_MAX events under their ids, both expiring
// EVENT_LOG_TTL_MS after the last event; live events go out on a pub/sub
// channel. One script numbers, logs and publishes an event atomically, so
// ids are consecutive per user whichever instances publish. A subscriber
// that sees an id jump (a PUBLISH missed while its connection came back)
// reads the missing events from the log.
import { createClient } from "redis";
import { EVENT_LOG_MAX, EVENT_LOG_TTL_MS, type EventsStart, type EventsSubscription, type UserEventBus } from "./bus";
import type { UserEvent, UserEventBody } from "./types";
import { errorFields, log } from "../platform/log";
import { RedisChannels } from "../platform/redis-channels";

const makeClient = (url: string) => createClient({ url });
type Client = ReturnType<typeof makeClient>;
type Listener = (e: UserEvent) => void;

// KEYS: counter, log. ARGV: seed id, body JSON, ttl ms, max entries, channel.
const PUBLISH = `
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1]) end
local id = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], id .. '-0', 'e', ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('PUBLISH', ARGV[5], id .. ' ' .. ARGV[2])
return id`;

const redisError = (client: string) => (e: unknown) => log.error({ component: "redis", client, err: errorFields(e) }, "redis error");

export class RedisUserEventBus implements UserEventBus {
  private cmd: Promise<Client> | null = null;
  private sub: Promise<Client> | null = null;
  private readonly channels = new RedisChannels<UserEvent>(
    () => this.subscriber(),
    (raw) => {
      const space = raw.indexOf(" ");
      try {
        return { id: Number(raw.slice(0, space)), ...(JSON.parse(raw.slice(space + 1)) as UserEventBody) } as UserEvent;
      } catch {
        return undefined; // not ours
      }
    },
  );
  /** Publishes of one process go out in order (the script numbers them in arrival order). */
  private publishing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly url: string,
    private readonly opts: { prefix?: string; maxEvents?: number; ttlMs?: number } = {},
  ) {}

  private key = (userId: string, what: "seq" | "events") => `${this.opts.prefix ?? "tether"}:user:${userId}:${what}`;
  private channel = (userId: string) => `${this.opts.prefix ?? "tether"}:user:${userId}`;

  private connect(): Promise<Client> {
    this.cmd ??= (async () => {
      const c = makeClient(this.url);
      c.on("error", redisError("user events"));
      await c.connect();
      return c;
    })();
    return this.cmd;
  }

  private subscriber(): Promise<Client> {
    this.sub ??= (async () => {
      const c = makeClient(this.url);
      c.on("error", redisError("user events subscriber"));
      await c.connect();
      return c;
    })();
    return this.sub;
  }

  publish(userId: string, body: UserEventBody): void {
    const args = [
      String(Date.now()),
      JSON.stringify(body),
      String(this.opts.ttlMs ?? EVENT_LOG_TTL_MS),
      String(this.opts.maxEvents ?? EVENT_LOG_MAX),
      this.channel(userId),
    ];
    this.publishing = this.publishing
      .then(async () => (await this.connect()).eval(PUBLISH, { keys: [this.key(userId, "seq"), this.key(userId, "events")], arguments: args }))
      .catch((e) => log.warn({ component: "redis", userId, event: body.event, err: errorFields(e) }, "user event not published"));
  }

  private listen(userId: string, fn: Listener): Promise<() => void> {
    return this.channels.listen(this.channel(userId), fn);
  }

  /** Starts the user's counter if it has expired, so a page's id can be resumed from. */
  async latestId(userId: string): Promise<number> {
    const c = await this.connect();
    const key = this.key(userId, "seq");
    await c.set(key, String(Date.now()), { NX: true, PX: this.opts.ttlMs ?? EVENT_LOG_TTL_MS });
    return Number(await c.get(key));
  }

  /** Logged events with ids above `after`, oldest first. */
  private async logAfter(userId: string, after: number): Promise<UserEvent[]> {
    const entries = await (await this.connect()).xRange(this.key(userId, "events"), `(${after}-0`, "+");
    return (entries ?? []).map((en) => ({ id: Number(en.id.split("-")[0]), ...(JSON.parse(String(en.message.e)) as UserEventBody) }) as UserEvent);
  }

  async subscribe(userId: string, after: number | null, onEvent: Listener): Promise<EventsSubscription> {
    let cursor = 0;
    let closed = false;
    // Everything after the start goes through one chain: in order, exactly once.
    let chain: Promise<void>;
    const deliver = (e: UserEvent) => {
      chain = chain.then(async () => {
        if (closed || e.id <= cursor) return;
        if (e.id > cursor + 1) {
          try {
            for (const missed of await this.logAfter(userId, cursor)) {
              if (missed.id >= e.id) break;
              if (missed.id <= cursor) continue;
              cursor = missed.id;
              onEvent(missed);
            }
          } catch (err) {
            log.warn({ component: "redis", userId, err: errorFields(err) }, "could not read missed user events");
          }
        }
        cursor = e.id;
        onEvent(e);
      });
    };
    let startRead!: () => void;
    chain = new Promise<void>((r) => (startRead = r));
    const stop = await this.listen(userId, deliver);
    try {
      const c = await this.connect();
      const raw = await c.get(this.key(userId, "seq"));
      const lastId = raw === null ? 0 : Number(raw);
      let start: EventsStart = { kind: "reset", id: lastId };
      if (after !== null && raw !== null && after <= lastId) {
        const events = after === lastId ? [] : await this.logAfter(userId, after);
        if (after === lastId || events[0]?.id === after + 1) start = { kind: "replay", events };
      }
      cursor = start.kind === "replay" ? Math.max(after ?? 0, start.events.at(-1)?.id ?? 0) : start.id;
      startRead();
      return {
        start,
        close: () => {
          closed = true;
          stop();
        },
      };
    } catch (e) {
      stop();
      throw e;
    }
  }

  /** Waits for this process's publishes and closes the connections (tests, shutdown). */
  async close(): Promise<void> {
    await this.publishing;
    const [cmd, sub] = [this.cmd, this.sub];
    this.cmd = this.sub = null;
    this.channels.clear();
    await Promise.all([sub?.then((c) => c.close()).catch(() => {}), cmd?.then((c) => c.close()).catch(() => {})]);
  }
}
