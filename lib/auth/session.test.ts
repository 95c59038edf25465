// What the proxy does for a page request, on an in-memory PGlite.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { sealData } from "iron-session";
import { openDatabase, type DbHandle } from "../platform/db";
import { pageSession, requireSessionUser, sessionUser as userOf } from "./session";
import { RequestRateLimiter } from "../platform/rate-limit";
import { captureLogs } from "../platform/log";
import { AppError } from "../errors";
import type { Accounts } from "./auth";

const SECRET = "session-test-secret-".padEnd(48, "s");
let db: DbHandle;
const accounts = async (): Promise<Accounts> => ({ db: db.prisma, settings: { secret: SECRET, dataDir: "./data", accountDays: 30 } });
const noGuestLimit = new RequestRateLimiter({ points: 0, windowSec: 1 });
const pageSessionCookie = async (headers: Headers, secure: boolean) => (await pageSession(accounts, noGuestLimit, headers, secure)).cookie;
const sessionUser = (headers: Headers, secure = false) => userOf(accounts, headers, secure);

beforeAll(async () => {
  db = await openDatabase({ kind: "pglite-memory" });
});
afterAll(async () => {
  await db?.close();
});

const withCookie = (value: string) => new Headers({ cookie: `theme=dark; tether_session=${value}` });
const tokenOf = (value: string) => decodeURIComponent(value).split(".")[0];

describe("pageSessionCookie", () => {
  it("mints a guest on a first visit, and leaves a live session alone", async () => {
    const minted = (await pageSessionCookie(new Headers(), false))!;
    expect(minted.headers).toEqual([expect.stringMatching(/^tether_session=[^;]+; Path=\/; Max-Age=\d+; SameSite=Lax; HttpOnly$/)]);
    const user = (await sessionUser(withCookie(minted.value)))!;
    expect(user.guest).toBe(true);
    expect(await db.prisma.user.findUnique({ where: { id: user.userId }, select: { isAnonymous: true } })).toEqual({ isAnonymous: true });
    expect(await pageSessionCookie(withCookie(minted.value), false)).toBeNull();
    expect(await db.prisma.user.count()).toBe(1);
  });

  it("replaces a revoked, expired or forged session with a new guest", async () => {
    const first = (await pageSessionCookie(new Headers(), true))!;
    expect(first.headers[0]).toMatch(/^__Host-tether_session=[^;]+;.*; Secure$/);
    await db.prisma.session.delete({ where: { token: tokenOf(first.value) } });
    const second = (await pageSessionCookie(withCookie(first.value), false))!;
    expect(second.value).not.toBe(first.value);
    await db.prisma.session.update({ where: { token: tokenOf(second.value) }, data: { expiresAt: new Date(Date.now() - 1) } });
    const third = (await pageSessionCookie(withCookie(second.value), false))!;
    expect(await sessionUser(withCookie(third.value))).not.toBeNull();
    expect(await pageSessionCookie(withCookie("forged.value"), false)).not.toBeNull();
  });

  it("sends the renewed cookie when the library extends the session", async () => {
    const minted = (await pageSessionCookie(new Headers(), false))!;
    // Near the end of its life, so the library's daily refresh applies.
    await db.prisma.session.update({ where: { token: tokenOf(minted.value) }, data: { expiresAt: new Date(Date.now() + 3_600_000) } });
    const renewed = (await pageSessionCookie(withCookie(minted.value), false))!;
    expect(renewed.value).toBe(minted.value);
    expect(renewed.headers[0]).toMatch(/Max-Age=345\d{5}/);
  });
});

describe("guest cookies from before accounts", () => {
  const seal = (uid: string, password = SECRET) => sealData({ uid }, { password, ttl: 400 * 86400 });

  it("are exchanged for a session of the same guest, who keeps their data", async () => {
    const uid = randomUUID();
    await db.prisma.user.create({ data: { id: uid, isAnonymous: true } });
    await db.prisma.conversation.create({ data: { userId: uid, title: "From before" } });
    const cookie = (await pageSessionCookie(withCookie(await seal(uid)), false))!;
    const user = (await sessionUser(withCookie(cookie.value)))!;
    expect(user).toMatchObject({ userId: uid, guest: true });
    expect(user.expiresAt.getTime() - Date.now()).toBeGreaterThan(399 * 86_400_000);
    expect(await db.prisma.conversation.count({ where: { userId: uid } })).toBe(1);
  });

  it("are not honoured for unknown users, accounts, or another secret", async () => {
    const account = randomUUID();
    await db.prisma.user.create({ data: { id: account, isAnonymous: false, email: `${account}@example.com` } });
    for (const value of [await seal(randomUUID()), await seal(account), await seal(account, "another-secret-".padEnd(40, "z"))]) {
      const cookie = (await pageSessionCookie(withCookie(value), false))!;
      const user = (await sessionUser(withCookie(cookie.value)))!;
      expect(user.userId).not.toBe(account);
      expect(user.guest).toBe(true);
    }
  });
});

describe("sessionUser", () => {
  it("is null without a session cookie", async () => {
    expect(await sessionUser(new Headers())).toBeNull();
    expect(await sessionUser(new Headers({ cookie: "other=1" }))).toBeNull();
  });
});

describe("without a cookie", () => {
  it("never opens the database, and requireSessionUser answers 401 with what to do", async () => {
    let opened = 0;
    const counting = async () => {
      opened++;
      return accounts();
    };
    expect(await userOf(counting, new Headers({ cookie: "other=1" }), false)).toBeNull();
    await expect(requireSessionUser(counting, new Headers(), true)).rejects.toMatchObject({
      code: "unauthorized",
      message: expect.stringContaining("POST /api/auth/guest"),
    });
    expect(opened).toBe(0);
  });
});

describe("pageSession when it cannot make a session", () => {
  it("renders without one and says for how long, when new guests from this address are over the limit", async () => {
    const oneGuest = new RequestRateLimiter({ points: 1, windowSec: 600 }, { kind: "memory" }, `page-${randomUUID()}`);
    const from = new Headers({ "x-tether-peer": "192.0.2.7" });
    expect((await pageSession(accounts, oneGuest, from, false)).cookie).not.toBeNull();
    const logs = captureLogs("warn");
    const refused = await pageSession(accounts, oneGuest, from, false);
    logs.restore();
    expect(logs.entries()).toEqual([expect.objectContaining({ level: "warn", component: "session", msg: "new guest refused: too many from this address" })]);
    expect(refused.cookie).toBeNull();
    expect(refused.guestRefusedForS).toBeGreaterThan(590);
    expect(refused.guestRefusedForS).toBeLessThanOrEqual(600);
  });

  it("renders without one when the database cannot be reached", async () => {
    const down = async (): Promise<Accounts> => {
      throw new Error("connection refused");
    };
    const logs = captureLogs("warn");
    expect(await pageSession(down, noGuestLimit, new Headers(), false)).toEqual({ cookie: null });
    // Another refusal than the guest limit is not reported as one.
    const unavailable = async (): Promise<Accounts> => {
      throw new AppError("unavailable", "restarting");
    };
    expect(await pageSession(unavailable, noGuestLimit, new Headers(), false)).toEqual({ cookie: null });
    logs.restore();
    const lines = logs.entries();
    expect(lines).toHaveLength(2);
    for (const line of lines)
      expect(line).toMatchObject({ level: "error", component: "session", msg: "could not resolve the page's session", err: { message: expect.any(String) } });
  });
});
