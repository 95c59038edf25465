// The session cache on its own (a clock the test moves), and two caches
// hearing each other's revocations through the Redis on this machine.
import { afterAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { RedisRevocations, SessionCache } from "./session-cache";
import type { SessionUser } from "./index";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const HOUR = 3_600_000;
let now = 1_000_000;
const clock = () => now;
const user = (over: Partial<SessionUser> = {}): SessionUser => ({
  userId: randomUUID(),
  guest: false,
  email: "a@example.com",
  sessionId: randomUUID(),
  expiresAt: new Date(now + HOUR),
  ...over,
});
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers) await c();
});

describe("SessionCache", () => {
  it("keeps a verified session for the TTL, then asks again", () => {
    const cache = new SessionCache(30_000, null, 100, clock);
    const u = user();
    cache.set("token-1", u, cache.begin());
    expect(cache.get("token-1")).toEqual(u);
    expect(cache.get("token-2")).toBeNull();
    expect(cache.get("token-1x")).toBeNull(); // the whole signed value is the key
    now += 29_999;
    expect(cache.get("token-1")).toEqual(u);
    now += 1;
    expect(cache.get("token-1")).toBeNull();
  });

  it("never serves a session past its own expiry", () => {
    const cache = new SessionCache(HOUR, null, 100, clock);
    cache.set("t", user({ expiresAt: new Date(now + 5_000) }), cache.begin());
    now += 4_999;
    expect(cache.get("t")).not.toBeNull();
    now += 1;
    expect(cache.get("t")).toBeNull();
  });

  it("forgets one session, or every session of a user, at once", async () => {
    const cache = new SessionCache(HOUR, null, 100, clock);
    const a1 = user();
    const a2 = user({ userId: a1.userId });
    const b = user();
    for (const [t, u] of [
      ["a1", a1],
      ["a2", a2],
      ["b", b],
    ] as const)
      cache.set(t, u, cache.begin());
    await cache.revoke({ sessionId: a1.sessionId });
    expect([cache.get("a1"), cache.get("a2"), cache.get("b")]).toEqual([null, a2, b]);
    await cache.revoke({ userId: a1.userId });
    expect([cache.get("a2"), cache.get("b")]).toEqual([null, b]);
  });

  it("does not keep what a lookup verified if a revocation came while it ran", async () => {
    const cache = new SessionCache(HOUR, null, 100, clock);
    const began = cache.begin();
    await cache.revoke({ userId: randomUUID() }); // any revocation: the lookup may predate it
    cache.set("t", user(), began);
    expect(cache.get("t")).toBeNull();
    cache.set("t", user(), cache.begin());
    expect(cache.get("t")).not.toBeNull();
  });

  it("holds at most maxEntries sessions, dropping the oldest", () => {
    const cache = new SessionCache(HOUR, null, 3, clock);
    for (const t of ["a", "b", "c", "d"]) cache.set(t, user(), cache.begin());
    expect(["a", "b", "c", "d"].map((t) => cache.get(t) !== null)).toEqual([false, true, true, true]);
  });

  it("keeps nothing with a TTL of 0 (SESSION_CACHE_S=0)", () => {
    const cache = new SessionCache(0, null, 100, clock);
    cache.set("t", user(), cache.begin());
    expect(cache.get("t")).toBeNull();
    expect(cache.caching).toBe(false);
  });
});

describe("SessionCache across instances (Redis)", () => {
  const pair = () => {
    const name = `tether-test:sessions:${randomUUID()}`;
    const channels = [new RedisRevocations(REDIS_URL, name), new RedisRevocations(REDIS_URL, name)];
    const caches = channels.map((c) => new SessionCache(HOUR, c));
    for (const c of caches) closers.push(() => c.close());
    return { caches, channels };
  };
  /** Sets once to start hearing, then waits until the cache keeps sessions. */
  const hearing = async (cache: SessionCache) => {
    cache.set("warm-up", user({ expiresAt: new Date(Date.now() + HOUR) }), cache.begin());
    await expect.poll(() => cache.caching).toBe(true);
  };

  it("a revocation on one instance empties the other's cache of it", async () => {
    const { caches } = pair();
    const [a, b] = caches;
    await Promise.all(caches.map(hearing));
    const u = user({ expiresAt: new Date(Date.now() + HOUR) });
    b.set("tok", u, b.begin());
    expect(b.get("tok")).toEqual(u);
    await a.revoke({ sessionId: u.sessionId });
    await expect.poll(() => b.get("tok")).toBeNull();
    b.set("tok2", u, b.begin());
    await a.revoke({ userId: u.userId });
    await expect.poll(() => b.get("tok2")).toBeNull();
  });

  it("keeps nothing before it hears revocations, nor after its connection drops until it hears again", async () => {
    const { caches, channels } = pair();
    const [, b] = caches;
    const u = user({ expiresAt: new Date(Date.now() + HOUR) });
    b.set("tok", u, b.begin()); // the first use starts listening: not kept yet
    expect(b.get("tok")).toBeNull();
    await hearing(b);
    b.set("tok", u, b.begin());
    expect(b.get("tok")).toEqual(u);
    // The subscriber connection drops: what was revoked meanwhile is unknown.
    const sub = await (channels[1] as unknown as { sub: Promise<{ destroy(): void }> }).sub;
    sub.destroy();
    await expect.poll(() => b.caching).toBe(false);
    expect(b.get("tok")).toBeNull();
  });
});
