// Scaled mode: MESSAGE_RATE_LIMIT is one budget per user across instances
// (REDIS_URL), not one per instance. Two apps (two instances) on one
// PostgreSQL schema and one Redis; the routes switch between them request by
// request. Keys are per user, and every user here is new, so runs sharing
// the Redis server cannot collide.
import { afterAll, describe, expect, it } from "vitest";
import type { App } from "@/lib/app";
import { setApp } from "@/lib/runtime";
import type { RequestRateLimiter } from "@/lib/platform/rate-limit";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { expectError, newConversation, newGuest, post } from "@/lib/testing/api-steps";
import { call } from "@/lib/testing/route-client";
import { PEER_HEADER } from "@/lib/http/client-address";
import { randomUUID } from "node:crypto";
import * as signIn from "@/app/api/auth/sign-in/route";

const h = useRouteHarness("rate_shared", { MESSAGE_RATE_LIMIT: "2", MESSAGE_RATE_WINDOW_S: "600" }, { scaled: true });

type RedisClient = { isReady: boolean; quit(): Promise<unknown> };

/** The node-redis client of a Redis-backed limiter (private to it: a test looks inside), if it is one. */
function redisClientOf(limiter: RequestRateLimiter): RedisClient | undefined {
  return (limiter as unknown as { limiter: { client?: RedisClient } | null }).limiter?.client;
}

/**
 * Until Redis answers, a limiter counts in its own process (by design): wait
 * until it is connected. (A limiter that is not Redis-backed has nothing to
 * wait for; the test then shows what it fails to share.)
 */
async function connected(app: App, limiter: (app: App) => RequestRateLimiter = (app) => app.limiters.messages) {
  const client = redisClientOf(limiter(app));
  for (let i = 0; client && !client.isReady; i++) {
    if (i > 1000) throw new Error("the rate limiter never connected to Redis");
    await new Promise((r) => setTimeout(r, 10));
  }
}

const apps: App[] = [];
afterAll(async () => {
  setApp(h.app);
  for (const app of apps) await app.close(); // with their limiters' Redis connections
});

describe("the message rate limit across instances", () => {
  it("is shared: posts alternating between two instances get 429 once the user's total passes the limit", async () => {
    const a = h.app;
    const b = h.build({});
    apps.push(b);
    await Promise.all([connected(a), connected(b)]);
    setApp(a);
    const cookie = await newGuest();
    const convs = await Promise.all([1, 2, 3, 4].map(() => newConversation(cookie)));
    const on = (app: App) => setApp(app);

    h.fake.enqueue({ text: "one" }, { text: "two" });
    on(a);
    expect((await (await post(cookie, convs[0].id, { content: "1", stream: false })).json()).assistantMessage.content).toBe("one");
    on(b);
    expect((await (await post(cookie, convs[1].id, { content: "2", stream: false })).json()).assistantMessage.content).toBe("two");
    // Each instance has seen only one post, but the user has made two.
    const requests = h.fake.requests.length;
    on(a);
    const third = await post(cookie, convs[2].id, { content: "3", stream: false });
    await expectError(third, 429, "rate_limited");
    expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(0);
    on(b);
    await expectError(await post(cookie, convs[3].id, { content: "4", stream: false }), 429, "rate_limited");
    expect(h.fake.requests.length).toBe(requests);

    // Another user has a budget of their own, on either instance.
    const other = await newGuest();
    const c = await newConversation(other);
    h.fake.enqueue({ text: "yours" });
    expect((await post(other, c.id, { content: "mine", stream: false })).status).toBe(200);
    setApp(a);
  });
});

describe("the sign-in limit per client address across instances", () => {
  it("is shared: attempts from one address alternating between two instances are refused once their total passes it", async () => {
    const a = h.build({ SIGN_IN_ADDRESS_RATE_LIMIT: "4" });
    const b = h.build({ SIGN_IN_ADDRESS_RATE_LIMIT: "4" });
    apps.push(a, b);
    const byAddress = (app: App) => app.limiters.signInAddress;
    await Promise.all([connected(a, byAddress), connected(b, byAddress)]);
    // A new address each run (a documentation range; only a header here): runs sharing Redis cannot collide.
    const headers = { [PEER_HEADER]: `2001:db8::${randomUUID().slice(0, 4)}:${randomUUID().slice(0, 4)}` };
    const attempt = () => call(signIn.POST, "POST", "/api/auth/sign-in", { body: { email: `nobody-${randomUUID()}@example.com`, password: "Summer2024!" }, headers });
    const statuses = [];
    for (const app of [a, b, a, b, a, b]) {
      setApp(app);
      statuses.push((await attempt()).status);
    }
    setApp(h.app);
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
  });
});
