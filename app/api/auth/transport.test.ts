// HTTPS as the server sees it, through the real route handlers and the page
// proxy: the session cookie's name and attributes over HTTPS and plain HTTP,
// the unprefixed cookie of older Secure deployments, X-Forwarded-Proto only
// from a trusted proxy, and HSTS only on HTTPS responses when configured.
import { describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { call } from "@/lib/testing/route-client";
import { proxy } from "@/proxy";
import * as guest from "@/app/api/auth/guest/route";
import * as session from "@/app/api/auth/session/route";
import * as signOut from "@/app/api/auth/sign-out/route";

const YEAR = 31_536_000;
const h = useRouteHarness("transport", { TRUSTED_PROXY_HOPS: "1", HSTS_MAX_AGE_S: String(YEAR) });

const HTTPS = { "x-forwarded-proto": "https" };
const setCookies = (res: Response) => res.headers.getSetCookie();
const pair = (line: string) => line.split(";", 1)[0];
const valueOf = (line: string) => pair(line).slice(pair(line).indexOf("=") + 1);
const newGuest = (headers: Record<string, string> = {}) => call(guest.POST, "POST", "/api/auth/guest", { headers });
const whoAmI = (cookie: string, headers: Record<string, string> = {}) => call(session.GET, "GET", "/api/auth/session", { cookie, headers });
const page = (cookie: string | undefined, headers: Record<string, string> = {}) =>
  proxy(new NextRequest("http://localhost/", { headers: { ...headers, ...(cookie ? { cookie } : {}) } }));

describe("the session cookie over HTTPS", () => {
  it("is __Host-tether_session: Secure, Path=/, no Domain; the unprefixed one is cleared", async () => {
    const res = await newGuest(HTTPS);
    expect(res.status).toBe(201);
    const [cookie, clear, ...rest] = setCookies(res);
    expect(rest).toEqual([]);
    expect(cookie).toMatch(/^__Host-tether_session=[^;]+; Path=\/; Max-Age=\d+; SameSite=Lax; HttpOnly; Secure$/);
    expect(clear).toBe("tether_session=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly; Secure");
    expect(setCookies(res).join("\n")).not.toMatch(/domain=/i);
    const { user } = await res.json();
    expect((await (await whoAmI(pair(cookie), HTTPS)).json()).user.id).toBe(user.id);
  });

  it("is read only under the name that fits the request", async () => {
    const cookie = setCookies(await newGuest(HTTPS))[0];
    expect((await whoAmI(pair(cookie))).status).toBe(401); // __Host- cookie on a plain request
    expect((await whoAmI(`tether_session=${valueOf(cookie)}`)).status).toBe(200); // the plain name over plain HTTP
  });

  it("keeps a session that came in the unprefixed cookie, re-set under the new name, and prefers the prefixed one", async () => {
    const plain = setCookies(await newGuest())[0]; // as an older Secure deployment set it
    const { user } = await (await whoAmI(pair(plain))).json();
    expect((await (await whoAmI(pair(plain), HTTPS)).json()).user.id).toBe(user.id);

    const users = await h.db.prisma.user.count();
    const res = await page(pair(plain), HTTPS);
    expect(setCookies(res)).toEqual([
      expect.stringMatching(
        new RegExp(`^__Host-tether_session=${valueOf(plain).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}; Path=/; Max-Age=\\d+; SameSite=Lax; HttpOnly; Secure$`),
      ),
      "tether_session=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly; Secure",
    ]);
    expect(await h.db.prisma.user.count()).toBe(users); // the same guest, no new one

    // A planted unprefixed cookie does not override the prefixed one.
    const other = setCookies(await newGuest(HTTPS))[0];
    const both = `${pair(plain)}; ${pair(other)}`;
    expect((await (await whoAmI(both, HTTPS)).json()).user.id).not.toBe(user.id);
    expect(setCookies(await page(both, HTTPS))).toEqual([]);
  });

  it("signing out clears both names", async () => {
    const cookie = setCookies(await newGuest(HTTPS))[0];
    const res = await call(signOut.POST, "POST", "/api/auth/sign-out", { cookie: pair(cookie), headers: HTTPS });
    expect(res.status).toBe(204);
    expect(setCookies(res)).toEqual([
      "__Host-tether_session=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly; Secure",
      "tether_session=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly; Secure",
    ]);
  });
});

describe("the session cookie over plain HTTP", () => {
  it("is tether_session, not Secure, alone", async () => {
    const res = await newGuest();
    expect(setCookies(res)).toEqual([expect.stringMatching(/^tether_session=[^;]+; Path=\/; Max-Age=\d+; SameSite=Lax; HttpOnly$/)]);
    expect((await whoAmI(pair(setCookies(res)[0]))).status).toBe(200);
    const first = await page(undefined);
    expect(setCookies(first)).toEqual([expect.stringMatching(/^tether_session=[^;]+;.*HttpOnly$/)]);
  });
});

describe("X-Forwarded-Proto", () => {
  it("is believed only from a trusted proxy; SESSION_COOKIE_SECURE still forces Secure", async () => {
    const restore = h.reconfigure({ TRUSTED_PROXY_HOPS: "0" });
    try {
      const res = await newGuest(HTTPS);
      expect(setCookies(res)).toEqual([expect.stringMatching(/^tether_session=[^;]+;.*HttpOnly$/)]);
      expect(res.headers.get("strict-transport-security")).toBeNull();
      expect((await page(undefined, HTTPS)).headers.get("content-security-policy")).not.toContain("upgrade-insecure-requests");
    } finally {
      await restore();
    }
    const forced = h.reconfigure({ TRUSTED_PROXY_HOPS: "0", SESSION_COOKIE_SECURE: "1" });
    try {
      expect(setCookies(await newGuest())[0]).toMatch(/^__Host-tether_session=.*; Secure$/);
    } finally {
      await forced();
    }
    // Behind one proxy that appends: its entry counts, not what the client wrote before it.
    expect(setCookies(await newGuest({ "x-forwarded-proto": "https, http" }))[0]).toMatch(/^tether_session=/);
    expect(setCookies(await newGuest({ "x-forwarded-proto": "http, https" }))[0]).toMatch(/^__Host-tether_session=/);
  });
});

describe("Strict-Transport-Security", () => {
  const HSTS = `max-age=${YEAR}; includeSubDomains`;

  it("is sent on HTTPS responses only, API and pages", async () => {
    expect((await newGuest(HTTPS)).headers.get("strict-transport-security")).toBe(HSTS);
    expect((await whoAmI("", HTTPS)).headers.get("strict-transport-security")).toBe(HSTS); // errors too
    expect((await page(undefined, HTTPS)).headers.get("strict-transport-security")).toBe(HSTS);
    expect((await newGuest()).headers.get("strict-transport-security")).toBeNull();
    expect((await page(undefined)).headers.get("strict-transport-security")).toBeNull();
  });

  it("is not sent when HSTS_MAX_AGE_S is 0 (the default)", async () => {
    const restore = h.reconfigure({ HSTS_MAX_AGE_S: "" });
    try {
      expect((await newGuest(HTTPS)).headers.get("strict-transport-security")).toBeNull();
      expect((await page(undefined, HTTPS)).headers.get("strict-transport-security")).toBeNull();
    } finally {
      await restore();
    }
  });
});
