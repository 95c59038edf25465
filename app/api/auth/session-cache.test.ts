// Verified sessions are kept (SESSION_CACHE_S) without reading their row on
// each request, and whatever ends a session ends it at once on every
// instance: two apps on one PostgreSQL schema and one Redis, the routes
// switching between them request by request. SESSION_CACHE_S is an hour
// here, so only the revocation itself can refuse a kept session in time.
import { afterAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import type { App } from "@/lib/app";
import { setApp } from "@/lib/runtime";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { expectError } from "@/lib/testing/api-steps";
import { call, cookieFrom } from "@/lib/testing/route-client";
import * as signUp from "@/app/api/auth/sign-up/route";
import * as signIn from "@/app/api/auth/sign-in/route";
import * as signOut from "@/app/api/auth/sign-out/route";
import * as session from "@/app/api/auth/session/route";
import * as revokeOthers from "@/app/api/auth/sessions/revoke-others/route";

const h = useRouteHarness("session_cache", { SESSION_CACHE_S: "3600" }, { scaled: true });
const PASSWORD = "correct horse battery";
const apps: App[] = [];
afterAll(async () => {
  setApp(h.app);
  for (const app of apps) await app.close();
});

const whoAmI = (app: App, cookie: string) => {
  setApp(app);
  return call(session.GET, "GET", "/api/auth/session", { cookie });
};
/** Asks once (the first use starts hearing revocations), then until the instance keeps sessions. */
async function keeping(app: App, cookie: string) {
  await whoAmI(app, cookie);
  const cache = (await app.accounts()).sessions!;
  await expect.poll(() => cache.caching).toBe(true);
  expect((await whoAmI(app, cookie)).status).toBe(200);
}
async function account(app: App) {
  setApp(app);
  const email = `user-${randomUUID()}@example.com`;
  const first = cookieFrom(await call(signUp.POST, "POST", "/api/auth/sign-up", { body: { email, password: PASSWORD } }));
  const more = async () => cookieFrom(await call(signIn.POST, "POST", "/api/auth/sign-in", { body: { email, password: PASSWORD } }));
  return { first, more };
}
const tokenOf = (cookie: string) => decodeURIComponent(cookie.split("=")[1]).split(".")[0];

describe("the session cache across instances", () => {
  it("keeps a verified session without its row; with SESSION_CACHE_S=0 every request reads it", async () => {
    const a = h.app;
    const uncached = h.build({ SESSION_CACHE_S: "0" });
    apps.push(uncached);
    const { first } = await account(a);
    await keeping(a, first);
    // Deleted behind the app's back (no revocation): only the cache still knows it.
    await h.db.prisma.session.delete({ where: { token: tokenOf(first) } });
    expect((await whoAmI(a, first)).status).toBe(200);
    await expectError(await whoAmI(uncached, first), 401, "unauthorized");
  });

  it("a sign-out on one instance refuses the session on the other at once", async () => {
    const [a, b] = [h.app, h.build({})];
    apps.push(b);
    const { first, more } = await account(a);
    const other = await more();
    await keeping(b, first);
    await keeping(b, other);
    setApp(a);
    expect((await call(signOut.POST, "POST", "/api/auth/sign-out", { cookie: first })).status).toBe(204);
    await expect.poll(async () => (await whoAmI(b, first)).status, { timeout: 10_000 }).toBe(401);
    expect((await whoAmI(b, other)).status).toBe(200);
  });

  it("revoking other sessions on one instance refuses them on the other at once; this one stays", async () => {
    const [a, b] = [h.app, h.build({})];
    apps.push(b);
    const { first, more } = await account(a);
    const others = [await more(), await more()];
    for (const c of [first, ...others]) await keeping(b, c);
    setApp(a);
    const res = await call(revokeOthers.POST, "POST", "/api/auth/sessions/revoke-others", { cookie: first });
    expect(await res.json()).toEqual({ revoked: 2 });
    for (const c of others) await expect.poll(async () => (await whoAmI(b, c)).status, { timeout: 10_000 }).toBe(401);
    expect((await whoAmI(b, first)).status).toBe(200);
    expect((await whoAmI(a, first)).status).toBe(200);
  });
});
