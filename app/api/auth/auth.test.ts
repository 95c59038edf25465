// Accounts through the real route handlers and the real auth library, on an
// in-memory PGlite and on the real PostgreSQL (an isolated schema).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { openDatabase, type DbHandle } from "@/lib/platform/db";
import type { App } from "@/lib/app";
import { setApp } from "@/lib/runtime";
import { testApp } from "@/lib/testing/app";
import { call, cookieFrom } from "@/lib/testing/route-client";
import * as guest from "@/app/api/auth/guest/route";
import * as signUp from "@/app/api/auth/sign-up/route";
import * as signIn from "@/app/api/auth/sign-in/route";
import * as signOut from "@/app/api/auth/sign-out/route";
import * as session from "@/app/api/auth/session/route";
import * as revokeOthers from "@/app/api/auth/sessions/revoke-others/route";
import * as conversations from "@/app/api/conversations/route";
import * as conversation from "@/app/api/conversations/[id]/route";
import * as settings from "@/app/api/settings/route";

const PG_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const PASSWORD = "correct horse battery";

async function expectError(res: Response, status: number, code?: string) {
  expect(res.status).toBe(status);
  const body = await res.json();
  expect(typeof body.error.message).toBe("string");
  if (code) expect(body.error.code).toBe(code);
  return body;
}

const email = () => `user-${randomUUID()}@example.com`;
const newGuest = async () => cookieFrom(await call(guest.POST, "POST", "/api/auth/guest"));
const register = (body: unknown, cookie?: string) => call(signUp.POST, "POST", "/api/auth/sign-up", { body, cookie });
const login = (body: unknown, cookie?: string) => call(signIn.POST, "POST", "/api/auth/sign-in", { body, cookie });
const listTitles = async (cookie: string) =>
  ((await (await call(conversations.GET, "GET", "/api/conversations", { cookie })).json()).conversations as { title: string }[]).map((c) => c.title);
const create = async (cookie: string, title: string) => {
  const res = await call(conversations.POST, "POST", "/api/conversations", { cookie, body: { title } });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string };
};
const setStreaming = async (cookie: string, streaming: boolean) =>
  expect((await call(settings.PATCH, "PATCH", "/api/settings", { cookie, body: { streaming } })).status).toBe(200);
const getStreaming = async (cookie: string) => (await (await call(settings.GET, "GET", "/api/settings", { cookie })).json()).streaming;
const whoAmI = (cookie?: string) => call(session.GET, "GET", "/api/auth/session", { cookie });

async function newAccount(cookie?: string) {
  const address = email();
  const res = await register({ email: address, password: PASSWORD }, cookie);
  expect(res.status).toBe(201);
  return { email: address, cookie: cookieFrom(res), id: (await res.json()).user.id as string };
}

const backends: [string, () => Promise<{ db: DbHandle; drop(): Promise<void> }>][] = [
  ["PGlite", async () => ({ db: await openDatabase({ kind: "pglite-memory" }), drop: async () => {} })],
  [
    "PostgreSQL",
    async () => {
      const schema = `t_auth_${process.pid}_${Date.now()}`;
      return {
        db: await openDatabase({ kind: "postgres", url: PG_URL, schema }),
        async drop() {
          const admin = new pg.Client({ connectionString: PG_URL });
          await admin.connect();
          await admin.query(`drop schema if exists "${schema}" cascade`);
          await admin.end();
        },
      };
    },
  ],
];

describe.each(backends)("accounts on %s", (_name, open) => {
  let db: DbHandle;
  let app: App;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ db, drop } = await open());
    // Every request here comes from one (unknown) address: the attempt limits
    // are off, and tested in attempts.test.ts.
    const limitsOff = { SIGN_IN_RATE_LIMIT: "0", SIGN_IN_ADDRESS_RATE_LIMIT: "0", SIGN_UP_RATE_LIMIT: "0" };
    app = testApp({ SESSION_SECRET: "accounts-test-secret-".padEnd(48, "q"), ...limitsOff }, { dbHandle: db });
    setApp(app);
  });

  afterAll(async () => {
    setApp(undefined);
    await app?.close();
    await db?.close();
    await drop?.();
  });

  it("keeps POST /api/auth/guest as it was: 201 {user:{id}} and an httpOnly Lax cookie", async () => {
    const res = await call(guest.POST, "POST", "/api/auth/guest");
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toEqual({ user: { id: expect.stringMatching(/^[0-9a-f-]{36}$/) } });
    const set = res.headers.get("set-cookie")!;
    expect(set).toMatch(/^tether_session=[^;]+; Path=\/; Max-Age=\d+; SameSite=Lax; HttpOnly$/);
    expect(set).not.toContain(body.user.id);
    const me = await (await whoAmI(cookieFrom(res))).json();
    expect(me.user).toEqual({ id: body.user.id, email: null, guest: true });
    // A guest's session lasts about 400 days: its cookie is the only key to its data.
    expect(Date.parse(me.session.expiresAt) - Date.now()).toBeGreaterThan(399 * 86_400_000);
    // Whatever session the caller has, it gets a new guest (as before accounts).
    const again = await call(guest.POST, "POST", "/api/auth/guest", { cookie: cookieFrom(res) });
    expect(again.status).toBe(201);
    expect((await again.json()).user.id).not.toBe(body.user.id);
  });

  it("signs up, answers the session, and refuses a taken email (any case) without saying it is taken", async () => {
    const a = await newAccount();
    const me = await (await whoAmI(a.cookie)).json();
    expect(me.user).toEqual({ id: a.id, email: a.email, guest: false });
    const days = (Date.parse(me.session.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThan(30.1);
    await expectError(await register({ email: a.email.toUpperCase(), password: PASSWORD }), 400, "sign_up_failed");
    expect(await db.prisma.user.count({ where: { email: a.email } })).toBe(1);
  });

  it("signs in with the right password only: 401 for a wrong password or an unknown email", async () => {
    const a = await newAccount();
    await expectError(await login({ email: a.email, password: "wrong password!" }), 401, "invalid_credentials");
    await expectError(await login({ email: email(), password: PASSWORD }), 401, "invalid_credentials");
    const ok = await login({ email: `  ${a.email.toUpperCase()} `, password: PASSWORD });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ user: { id: a.id, email: a.email, guest: false } });
  });

  it("answers bad bodies with 4xx, never 500", async () => {
    const bad: [unknown, number, string?][] = [
      [{ email: email(), password: "short" }, 400, "weak_password"],
      [{ email: email(), password: "x".repeat(129) }, 400, "weak_password"],
      [{ email: "not an email", password: PASSWORD }, 400, "invalid_input"],
      [{ email: email() }, 400, "invalid_input"],
      [{ email: 42, password: PASSWORD }, 400, "invalid_input"],
      [{ email: email(), password: ["x"] }, 400, "invalid_input"],
      [[], 400, "invalid_input"],
      [{}, 400, "invalid_input"],
    ];
    for (const [body, status, code] of bad) {
      await expectError(await register(body), status, code);
      if (code !== "weak_password") await expectError(await login(body), status, code);
    }
    for (const handler of [signUp.POST, signIn.POST]) {
      await expectError(await call(handler, "POST", "/", { rawBody: "{nope" }), 400, "invalid_json");
      await expectError(await call(handler, "POST", "/", { rawBody: JSON.stringify({ email: email(), password: "x".repeat(20_000) }) }), 413, "too_large");
    }
  });

  it("shows an account's conversations and settings in a second browser", async () => {
    const a = await newAccount();
    await create(a.cookie, "Tide pools");
    await setStreaming(a.cookie, false);
    const other = cookieFrom(await login({ email: a.email, password: PASSWORD }));
    expect(other).not.toBe(a.cookie);
    expect(await listTitles(other)).toEqual(["Tide pools"]);
    expect(await getStreaming(other)).toBe(false);
    // And back: a change in the second browser shows in the first.
    await setStreaming(other, true);
    expect(await getStreaming(a.cookie)).toBe(true);
  });

  it("keeps a guest's conversations and settings when the guest signs up", async () => {
    const g = await newGuest();
    const guestId = (await (await whoAmI(g)).json()).user.id;
    await create(g, "Guest chat one");
    await create(g, "Guest chat two");
    await setStreaming(g, false);
    const a = await newAccount(g);
    expect(a.id).not.toBe(guestId);
    expect(await listTitles(a.cookie)).toEqual(["Guest chat two", "Guest chat one"]);
    expect(await getStreaming(a.cookie)).toBe(false);
    // The guest is emptied and marked merged: its old cookie no longer opens anything.
    expect(await db.prisma.user.findUnique({ where: { id: guestId }, select: { mergedIntoId: true } })).toEqual({ mergedIntoId: a.id });
    expect(await db.prisma.session.count({ where: { userId: guestId } })).toBe(0);
    expect(await db.prisma.conversation.count({ where: { userId: guestId } })).toBe(0);
    await expectError(await call(conversations.GET, "GET", "/api/conversations", { cookie: g }), 401, "unauthorized");
    // A fresh browser signing in sees them too.
    const fresh = cookieFrom(await login({ email: a.email, password: PASSWORD }));
    expect(await listTitles(fresh)).toEqual(["Guest chat two", "Guest chat one"]);
    expect(await getStreaming(fresh)).toBe(false);
  });

  it("merges a guest's conversations into an account it signs in to; the account's settings win", async () => {
    const a = await newAccount();
    await create(a.cookie, "Account chat");
    await setStreaming(a.cookie, true);
    const g = await newGuest();
    await create(g, "Chat before signing in");
    await setStreaming(g, false);
    const signedIn = cookieFrom(await login({ email: a.email, password: PASSWORD }, g));
    expect((await listTitles(signedIn)).sort()).toEqual(["Account chat", "Chat before signing in"]);
    expect(await getStreaming(signedIn)).toBe(true);
    // A wrong password moves nothing.
    const g2 = await newGuest();
    await create(g2, "Stays with the guest");
    await expectError(await login({ email: a.email, password: "not the password" }, g2), 401, "invalid_credentials");
    expect(await listTitles(g2)).toEqual(["Stays with the guest"]);
  });

  it("signs out: that session answers 401 after, other browsers stay signed in", async () => {
    const a = await newAccount();
    const other = cookieFrom(await login({ email: a.email, password: PASSWORD }));
    expect((await whoAmI(a.cookie)).status).toBe(200); // verified, and kept for SESSION_CACHE_S
    const res = await call(signOut.POST, "POST", "/api/auth/sign-out", { cookie: a.cookie });
    expect(res.status).toBe(204);
    expect(res.headers.get("set-cookie")).toMatch(/^tether_session=; Path=\/; Max-Age=0;/);
    await expectError(await call(conversations.GET, "GET", "/api/conversations", { cookie: a.cookie }), 401, "unauthorized");
    await expectError(await whoAmI(a.cookie), 401, "unauthorized");
    await expectError(await call(signOut.POST, "POST", "/api/auth/sign-out", { cookie: a.cookie }), 401, "unauthorized");
    await expectError(await call(signOut.POST, "POST", "/api/auth/sign-out"), 401, "unauthorized");
    expect((await call(conversations.GET, "GET", "/api/conversations", { cookie: other })).status).toBe(200);
  });

  it("revokes all other sessions: they answer 401 at once, this one keeps working", async () => {
    const a = await newAccount();
    const b = cookieFrom(await login({ email: a.email, password: PASSWORD }));
    const c = cookieFrom(await login({ email: a.email, password: PASSWORD }));
    const unrelated = await newAccount();
    for (const cookie of [b, c]) expect((await whoAmI(cookie)).status).toBe(200); // verified, and kept for SESSION_CACHE_S
    const res = await call(revokeOthers.POST, "POST", "/api/auth/sessions/revoke-others", { cookie: a.cookie });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ revoked: 2 });
    for (const cookie of [b, c]) await expectError(await call(conversations.GET, "GET", "/api/conversations", { cookie }), 401, "unauthorized");
    expect((await call(conversations.GET, "GET", "/api/conversations", { cookie: a.cookie })).status).toBe(200);
    expect((await call(conversations.GET, "GET", "/api/conversations", { cookie: unrelated.cookie })).status).toBe(200);
    await expectError(await call(revokeOthers.POST, "POST", "/", {}), 401, "unauthorized");
  });

  it("refuses an expired session with 401 and extends a used one (sliding expiry)", async () => {
    const a = await newAccount();
    const token = decodeURIComponent(a.cookie.split("=")[1]).split(".")[0];
    // Used a day before it would end: the library pushes the end out again.
    await db.prisma.session.update({ where: { token }, data: { expiresAt: new Date(Date.now() + 86_400_000) } });
    expect((await call(conversations.GET, "GET", "/api/conversations", { cookie: a.cookie })).status).toBe(200);
    const renewed = await db.prisma.session.findUniqueOrThrow({ where: { token } });
    expect(renewed.expiresAt.getTime() - Date.now()).toBeGreaterThan(29 * 86_400_000);
    // Its end moved into the past (which only time does): an instance that
    // did not keep it as verified (SESSION_CACHE_S; a kept one carries its
    // end too: lib/auth/session-cache.test.ts) refuses it.
    await db.prisma.session.update({ where: { token }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const uncached = testApp({ SESSION_SECRET: "accounts-test-secret-".padEnd(48, "q"), SESSION_CACHE_S: "0" }, { dbHandle: db });
    setApp(uncached);
    try {
      await expectError(await call(conversations.GET, "GET", "/api/conversations", { cookie: a.cookie }), 401, "unauthorized");
      await expectError(await whoAmI(a.cookie), 401, "unauthorized");
    } finally {
      setApp(app);
      await uncached.close();
    }
  });

  it("keeps a guest's long lifetime when its session is extended", async () => {
    const g = await newGuest();
    const token = decodeURIComponent(g.split("=")[1]).split(".")[0];
    await db.prisma.session.update({ where: { token }, data: { expiresAt: new Date(Date.now() + 86_400_000) } });
    expect((await call(conversations.GET, "GET", "/api/conversations", { cookie: g })).status).toBe(200);
    const renewed = await db.prisma.session.findUniqueOrThrow({ where: { token } });
    expect(renewed.expiresAt.getTime() - Date.now()).toBeGreaterThan(399 * 86_400_000);
  });

  it("refuses forged and tampered cookies with 401", async () => {
    const a = await newAccount();
    const [name, value] = a.cookie.split("=");
    const [token, sig] = decodeURIComponent(value).split(".");
    const forged = [
      "tether_session=Fe26.2*forged*value",
      // A bad signature: one character changed in its middle (its last ones
      // may be padding or bits a lenient base64 decoder ignores).
      `${name}=${encodeURIComponent(`${token}.${sig.slice(0, 10)}${sig[10] === "A" ? "B" : "A"}${sig.slice(11)}`)}`,
      // Another token, old signature: its last character changed, never to itself.
      `${name}=${encodeURIComponent(`${token.slice(0, -1)}${token.endsWith("x") ? "y" : "x"}.${sig}`)}`,
      `${name}=${token}`, // unsigned
    ];
    for (const cookie of forged) await expectError(await call(conversations.GET, "GET", "/api/conversations", { cookie }), 401, "unauthorized");
  });

  it("answers 404 for another account's conversation ids", async () => {
    const a = await newAccount();
    const b = await newAccount();
    const { id } = await create(a.cookie, "Private");
    const cases = [
      call(conversation.GET, "GET", `/api/conversations/${id}`, { cookie: b.cookie, params: { id } }),
      call(conversation.PATCH, "PATCH", `/api/conversations/${id}`, { cookie: b.cookie, params: { id }, body: { title: "mine" } }),
      call(conversation.DELETE, "DELETE", `/api/conversations/${id}`, { cookie: b.cookie, params: { id } }),
    ];
    for (const res of await Promise.all(cases)) await expectError(res, 404, "not_found");
    expect(await listTitles(a.cookie)).toEqual(["Private"]);
  });

  it("refuses cross-site sign-in, sign-up, sign-out and revocation (CSRF)", async () => {
    const a = await newAccount();
    const cross = { origin: "https://evil.example", host: "localhost" };
    const site = { "sec-fetch-site": "cross-site" };
    for (const headers of [cross, site]) {
      await expectError(await call(signIn.POST, "POST", "/", { body: { email: a.email, password: PASSWORD }, headers }), 403, "forbidden");
      await expectError(await call(signUp.POST, "POST", "/", { body: { email: email(), password: PASSWORD }, headers }), 403, "forbidden");
      await expectError(await call(signOut.POST, "POST", "/", { cookie: a.cookie, headers }), 403, "forbidden");
      await expectError(await call(revokeOthers.POST, "POST", "/", { cookie: a.cookie, headers }), 403, "forbidden");
    }
    expect((await whoAmI(a.cookie)).status).toBe(200);
  });
});
