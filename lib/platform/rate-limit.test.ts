// The message rate limit on both stores: in-process, and the real Redis
// (unique key prefix per test), where two limiter objects stand for two
// server instances sharing one budget.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { createClient } from "redis";
import { AppError } from "../errors";
import { enforceRate, RequestRateLimiter, type RateLimiterStore } from "./rate-limit";
import { parseConfig } from "../config";

const messageRateFromEnv = (env: Record<string, string>) => parseConfig(env).rates.messages;

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
let redis: ReturnType<typeof createClient>;
let redis2: ReturnType<typeof createClient>;
const prefixes: string[] = [];

beforeAll(async () => {
  redis = createClient({ url: REDIS_URL });
  redis2 = createClient({ url: REDIS_URL });
  await Promise.all([redis.connect(), redis2.connect()]);
});

afterAll(async () => {
  for (const p of prefixes) {
    const keys = await redis.keys(`${p}:*`);
    if (keys.length) await redis.del(keys);
  }
  await Promise.all([redis.close(), redis2.close()]);
});

function redisStore(client = redis, prefix = `t_rl_${randomUUID()}`): RateLimiterStore & { prefix: string } {
  prefixes.push(prefix);
  return { kind: "redis", client, prefix };
}

async function consumeN(l: RequestRateLimiter, key: string, n: number) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await l.consume(key));
  return out;
}

describe("config", () => {
  it("reads MESSAGE_RATE_LIMIT / MESSAGE_RATE_WINDOW_S, falling back on nonsense", () => {
    expect(messageRateFromEnv({})).toEqual({ points: 30, windowSec: 60 });
    expect(messageRateFromEnv({ MESSAGE_RATE_LIMIT: "5", MESSAGE_RATE_WINDOW_S: "10" })).toEqual({ points: 5, windowSec: 10 });
    expect(messageRateFromEnv({ MESSAGE_RATE_LIMIT: "0" })).toEqual({ points: 0, windowSec: 60 });
    // Nonsense stops the server at start, naming the variable.
    expect(() => messageRateFromEnv({ MESSAGE_RATE_LIMIT: "-3" })).toThrow(/MESSAGE_RATE_LIMIT/);
    expect(() => messageRateFromEnv({ MESSAGE_RATE_WINDOW_S: "0.5" })).toThrow(/MESSAGE_RATE_WINDOW_S/);
    expect(() => messageRateFromEnv({ MESSAGE_RATE_LIMIT: "lots", MESSAGE_RATE_WINDOW_S: "0" })).toThrow(/MESSAGE_RATE_LIMIT[\s\S]*MESSAGE_RATE_WINDOW_S/);
  });

  it("a limit of 0 is off", async () => {
    const l = new RequestRateLimiter({ points: 0, windowSec: 60 });
    const all = await consumeN(l, "k", 100);
    expect(all.every((d) => d.allowed)).toBe(true);
  });
});

describe.each([
  ["memory", () => ({ kind: "memory" }) as RateLimiterStore],
  ["redis", () => redisStore()],
])("%s store", (_name, store) => {
  it("allows `points` requests per window per key, then refuses with the time left", async () => {
    const l = new RequestRateLimiter({ points: 3, windowSec: 60 }, store());
    const a = await consumeN(l, "user:a", 4);
    expect(a.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(a[2]).toEqual({ allowed: true, remaining: 0 });
    const refused = a[3] as { allowed: false; retryAfterMs: number };
    expect(refused.retryAfterMs).toBeGreaterThan(55_000);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
    // Another user has a budget of their own.
    expect((await l.consume("user:b")).allowed).toBe(true);
  });

  it("throws rate_limited (429) with Retry-After in whole seconds", async () => {
    const l = new RequestRateLimiter({ points: 1, windowSec: 30 }, store());
    await enforceRate(l, "u");
    const err = await enforceRate(l, "u").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: "rate_limited", status: 429 });
    const retry = Number((err as AppError).headers["Retry-After"]);
    expect(Number.isInteger(retry)).toBe(true);
    expect(retry).toBeGreaterThanOrEqual(29);
    expect(retry).toBeLessThanOrEqual(30);
  });

  it("gives one counted request back (a refund), and only for its key", async () => {
    const l = new RequestRateLimiter({ points: 2, windowSec: 60 }, store());
    expect((await consumeN(l, "r", 2)).map((d) => d.allowed)).toEqual([true, true]);
    await l.refund("r");
    expect((await consumeN(l, "r", 2)).map((d) => d.allowed)).toEqual([true, false]);
    await l.refund("other");
    expect((await l.consume("r")).allowed).toBe(false);
  });

  it("opens a new window once the old one is over", async () => {
    const l = new RequestRateLimiter({ points: 1, windowSec: 1 }, store());
    expect((await l.consume("w")).allowed).toBe(true);
    const refused = await l.consume("w");
    expect(refused.allowed).toBe(false);
    // The limiter itself says how long to wait; waiting that long is the behaviour under test.
    await new Promise((r) => setTimeout(r, (refused as { retryAfterMs: number }).retryAfterMs + 50));
    expect((await l.consume("w")).allowed).toBe(true);
  });
});

describe("redis store across instances", () => {
  it("two limiters (two instances, two connections) share one counter", async () => {
    const { prefix } = redisStore();
    const one = new RequestRateLimiter({ points: 4, windowSec: 60 }, { kind: "redis", client: redis, prefix });
    const two = new RequestRateLimiter({ points: 4, windowSec: 60 }, { kind: "redis", client: redis2, prefix });
    const seen = [await one.consume("user:x"), await two.consume("user:x"), await one.consume("user:x"), await two.consume("user:x")];
    expect(seen.map((d) => d.allowed)).toEqual([true, true, true, true]);
    expect((await two.consume("user:x")).allowed).toBe(false);
    expect((await one.consume("user:x")).allowed).toBe(false);
    // The count lives in Redis under the prefix, with an expiry.
    const keys = await redis.keys(`${prefix}:*`);
    expect(keys).toHaveLength(1);
    expect(await redis.pTTL(keys[0])).toBeGreaterThan(0);
  });

  it("counts concurrent requests from both instances atomically", async () => {
    const { prefix } = redisStore();
    const one = new RequestRateLimiter({ points: 10, windowSec: 60 }, { kind: "redis", client: redis, prefix });
    const two = new RequestRateLimiter({ points: 10, windowSec: 60 }, { kind: "redis", client: redis2, prefix });
    const all = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? one : two).consume("burst")));
    expect(all.filter((d) => d.allowed)).toHaveLength(10);
  });

  it("falls back to counting in-process when Redis is not reachable, without waiting", async () => {
    const down = createClient({ url: "redis://127.0.0.1:1", socket: { reconnectStrategy: false } });
    down.on("error", () => {});
    await down.connect().catch(() => {});
    const l = new RequestRateLimiter({ points: 2, windowSec: 60 }, { kind: "redis", client: down, prefix: `t_rl_${randomUUID()}` });
    const got = await consumeN(l, "k", 3);
    expect(got.map((d) => d.allowed)).toEqual([true, true, false]);
  });
});
