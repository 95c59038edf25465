// Per-user request-rate limit on starting generations (posting a message,
// Continue, edit, regenerate): a fixed window counter from rate-limiter-flexible. In-process by
// default; in Redis when REDIS_URL is set, so every instance counts against
// the same budget (one atomic Lua INCR+EXPIRE per request). If Redis fails,
// each instance falls back to its own in-memory counter rather than refusing
// everyone or letting everyone through.
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { createClient } from "redis";
import { AppError } from "../errors";
import { errorFields, log } from "./log";

export type RateLimitConfig = {
  /** Requests allowed per window; 0 turns the limit off. */
  points: number;
  /** Window length in whole seconds. */
  windowSec: number;
};

export type RateDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterMs: number };

export type RateLimiterStore =
  | { kind: "memory" }
  /** A node-redis client (any generics); `prefix` namespaces the keys (tests use a unique one). */
  | { kind: "redis"; client: object; prefix?: string };

export class RequestRateLimiter {
  private readonly limiter: RateLimiterAbstract | null;

  constructor(
    readonly config: RateLimitConfig,
    store: RateLimiterStore = { kind: "memory" },
    /** What is counted (keys are namespaced by it). */
    readonly name = "messages",
    /** Releases what the limiter owns (its Redis connection). */
    private readonly release: () => Promise<void> = async () => {},
  ) {
    if (config.points <= 0) {
      this.limiter = null;
      return;
    }
    const opts = { points: config.points, duration: config.windowSec };
    const memory = new RateLimiterMemory({ ...opts, keyPrefix: name });
    this.limiter =
      store.kind === "memory"
        ? memory
        : new RateLimiterRedis({
            ...opts,
            storeClient: store.client,
            useRedisPackage: true,
            keyPrefix: `${store.prefix ?? "tether"}:ratelimit:${name}`,
            // A Redis outage must not queue every request behind reconnects.
            rejectIfRedisNotReady: true,
            insuranceLimiter: memory,
          });
  }

  async close(): Promise<void> {
    await this.release();
  }

  /** Counts one request for `key`; says whether it is within the limit. */
  async consume(key: string): Promise<RateDecision> {
    if (!this.limiter) return { allowed: true, remaining: Infinity };
    try {
      const res = await this.limiter.consume(key);
      return { allowed: true, remaining: res.remainingPoints };
    } catch (e) {
      if (e instanceof RateLimiterRes) return { allowed: false, retryAfterMs: Math.max(1, e.msBeforeNext) };
      // Both the store and its fallback failed: availability wins over the limit.
      log.error({ component: "rate-limit", limiter: this.name, err: errorFields(e) }, "rate limiter failed; request allowed");
      return { allowed: true, remaining: 0 };
    }
  }

  /** Gives one counted request for `key` back; a store that fails keeps it counted (the window ends it). */
  async refund(key: string): Promise<void> {
    try {
      await this.limiter?.reward(key, 1);
    } catch (e) {
      log.warn({ component: "rate-limit", limiter: this.name, err: errorFields(e) }, "could not give a request back");
    }
  }
}

/** Throws 429 `rate_limited` with Retry-After (seconds) when `key` is over its limit. */
export async function enforceRate(limiter: RequestRateLimiter, key: string, what = "messages"): Promise<void> {
  const d = await limiter.consume(key);
  if (d.allowed) return;
  const seconds = Math.max(1, Math.ceil(d.retryAfterMs / 1000));
  throw new AppError("rate_limited", `Too many ${what}: at most ${limiter.config.points} per ${limiter.config.windowSec} s. Try again in ${seconds} s.`, {
    "Retry-After": String(seconds),
  });
}

/**
 * A limiter called `name`: Redis-backed when `redisUrl` is set, so it holds
 * across instances. Connected in the background: until it is ready (or
 * while Redis is down) requests are counted in this process, never held up.
 */
export function createRateLimiter(name: string, config: RateLimitConfig, redisUrl: string | undefined): RequestRateLimiter {
  if (!redisUrl || config.points <= 0) return new RequestRateLimiter(config, { kind: "memory" }, name);
  const client = createClient({ url: redisUrl });
  client.on("error", (e) => log.warn({ component: "rate-limit", limiter: name, err: errorFields(e) }, "redis error"));
  client.connect().catch((e) => log.error({ component: "rate-limit", limiter: name, err: errorFields(e) }, "Redis unreachable"));
  return new RequestRateLimiter(config, { kind: "redis", client }, name, async () => {
    await client.close().catch(() => {});
  });
}

/** The key a user's requests are counted under. */
export const userRateKey = (userId: string) => `user:${userId}`;

/** Per-user limit on starting generations (checked by lib/reply/admission.ts before its transaction). */
export async function enforceMessageRate(limiter: RequestRateLimiter, userId: string): Promise<void> {
  await enforceRate(limiter, userRateKey(userId));
}

/** Gives back the request enforceMessageRate counted, for a start the server tried by itself and that was refused. */
export const refundMessageRate = (limiter: RequestRateLimiter, userId: string): Promise<void> => limiter.refund(userRateKey(userId));

/**
 * Full-text search costs the database real work per message searched: at
 * most N searches per user and window, /api/search and the
 * search_conversations tool counted together.
 */
export async function enforceSearchRate(limiter: RequestRateLimiter, userId: string): Promise<void> {
  await enforceRate(limiter, userRateKey(userId), "searches");
}

/**
 * New guests per client address (the API and cookieless page visits): a
 * bound on users, sessions and generations one client can mint. An address
 * the server does not know ("unknown": no stamped peer, which only happens
 * outside the Next.js server) is not limited, so that a missing stamp cannot
 * lock every new visitor out at once.
 */
export async function enforceGuestRate(limiter: RequestRateLimiter, address: string): Promise<void> {
  if (address === "unknown") return;
  await enforceRate(limiter, `address:${address}`, "new guest sessions");
}

/** Requests to shared links (viewers have no session) per client address: a bound on what one client makes the server read. */
export async function enforceShareRate(limiter: RequestRateLimiter, address: string): Promise<void> {
  if (address === "unknown") return;
  await enforceRate(limiter, `address:${address}`, "requests to shared links");
}
