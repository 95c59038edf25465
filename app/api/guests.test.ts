// The per-address guest limit through the real route handler and the real
// proxy (in-memory PGlite): GUEST_RATE_LIMIT new guests per address and
// window, by API or by a cookieless page visit; past it the API answers 429
// and a page renders without a session and says why. The client address is
// the stamped TCP peer (lib/http/client-address.ts), set here as the server
// would set it.
import { describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { call, cookieFrom } from "@/lib/testing/route-client";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { expectError } from "@/lib/testing/api-steps";
import { PEER_HEADER } from "@/lib/http/client-address";
import { GUEST_LIMITED_HEADER, guestLimitNotice } from "@/lib/auth/session";
import * as guest from "@/app/api/auth/guest/route";
import * as signUp from "@/app/api/auth/sign-up/route";
import * as conversations from "@/app/api/conversations/route";
import { proxy } from "@/proxy";

// The default limit (20 per hour), as a deployment gets it.
const h = useRouteHarness("guests");

const from = (address: string) => ({ headers: { [PEER_HEADER]: address } });
const newGuest = (address: string) => call(guest.POST, "POST", "/api/auth/guest", from(address));
const users = () => h.db.prisma.user.count();

/** A page request as the browser sends it, through the proxy. */
const visit = (address: string, path = "/", cookie?: string) =>
  proxy(new NextRequest(`http://localhost${path}`, { headers: { [PEER_HEADER]: address, accept: "text/html", ...(cookie ? { cookie } : {}) } }));
/** The request headers the proxy forwards to the page (Next.js's override protocol). */
const forwarded = (res: Response, name: string) => res.headers.get(`x-middleware-request-${name}`);

describe("guest creation per client address", () => {
  it("refuses the 21st guest from one address with 429 rate_limited and Retry-After, before writing anything; another address still gets one", async () => {
    for (let i = 0; i < 20; i++) expect((await newGuest("203.0.113.10")).status).toBe(201);
    const before = await users();

    const refused = await newGuest("203.0.113.10");

    const body = await expectError(refused, 429, "rate_limited");
    expect(body.error.message).toMatch(/new guest sessions: at most 20 per 3600 s/);
    const retry = Number(refused.headers.get("retry-after"));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(3600);
    expect(refused.headers.get("set-cookie")).toBeNull();
    expect(await users()).toBe(before);

    expect((await newGuest("203.0.113.11")).status).toBe(201);
    // Spelled as an IPv4-mapped IPv6 address, it is the same client.
    await expectError(await newGuest("::ffff:203.0.113.10"), 429, "rate_limited");
  });

  it("counts cookieless page visits too; over the limit a page renders without a session and says why, and signing up still works", async () => {
    const address = "198.51.100.20";
    const first = await visit(address);
    expect(first.headers.get("set-cookie")).toMatch(/^tether_session=/);
    const cookie = first.headers.get("set-cookie")!.split(";")[0];
    for (let i = 1; i < 20; i++) expect((await newGuest(address)).status).toBe(201);
    const before = await users();

    for (const path of ["/", "/signin", "/c/00000000-0000-4000-8000-000000000000"]) {
      const page = await visit(address, path);
      expect(page.status).toBe(200); // rendered, not redirected
      expect(page.headers.get("x-middleware-next")).toBe("1");
      expect(page.headers.get("set-cookie")).toBeNull();
      const seconds = Number(forwarded(page, GUEST_LIMITED_HEADER));
      expect(seconds).toBeGreaterThan(0);
      const notice = guestLimitNotice(new Headers({ [GUEST_LIMITED_HEADER]: String(seconds) }));
      expect(notice?.retryInMinutes).toBe(Math.ceil(seconds / 60));
    }
    expect(await users()).toBe(before);
    await expectError(await newGuest(address), 429, "rate_limited");

    // A visit that carries a live session is never counted nor refused.
    const returning = await visit(address, "/", cookie);
    expect(returning.status).toBe(200);
    expect(forwarded(returning, GUEST_LIMITED_HEADER)).toBeNull();
    expect((await call(conversations.GET, "GET", "/api/conversations", { cookie })).status).toBe(200);

    // The way out the page offers: an account, from the same address.
    const account = await call(signUp.POST, "POST", "/api/auth/sign-up", { ...from(address), body: { email: "limited@example.com", password: "correct horse battery" } });
    expect(account.status).toBe(201);
    expect((await call(conversations.GET, "GET", "/api/conversations", { cookie: cookieFrom(account) })).status).toBe(200);
  });

  it("ignores a notice a client writes itself", async () => {
    const page = await proxy(new NextRequest("http://localhost/", { headers: { [PEER_HEADER]: "192.0.2.30", [GUEST_LIMITED_HEADER]: "9999" } }));
    expect(page.headers.get("set-cookie")).toMatch(/^tether_session=/);
    expect(forwarded(page, GUEST_LIMITED_HEADER)).toBeNull();
    expect(page.headers.get("x-middleware-override-headers")?.split(",")).not.toContain(GUEST_LIMITED_HEADER);
  });

  it("a client-side navigation or prefetch whose cookie went stale (a sign-up answered meanwhile) makes no guest and sets no cookie; a document load does", async () => {
    const address = "192.0.2.41";
    const first = await visit(address);
    const guestCookie = first.headers.get("set-cookie")!.split(";")[0];
    // The guest signs up: its session ends, and the answer carries the account's cookie.
    const account = await call(signUp.POST, "POST", "/api/auth/sign-up", {
      ...from(address),
      cookie: guestCookie,
      body: { email: "raced@example.com", password: "correct horse battery" },
    });
    expect(account.status).toBe(201);
    const before = await users();
    // A prefetch sent with the guest's cookie before the answer arrived must not overwrite the account's cookie.
    for (const dest of ["empty", "script"]) {
      const raced = await proxy(
        new NextRequest("http://localhost/settings", { headers: { [PEER_HEADER]: address, cookie: guestCookie, "sec-fetch-dest": dest, "sec-fetch-mode": "cors" } }),
      );
      expect(raced.status).toBe(200);
      expect(raced.headers.get("set-cookie")).toBeNull();
    }
    expect(await users()).toBe(before);
    // Loaded as a document (or by a client that sends no Sec-Fetch headers), a stale cookie is replaced by a new guest.
    for (const headers of [{ "sec-fetch-dest": "document", "sec-fetch-mode": "navigate" }, {}] as Record<string, string>[]) {
      const page = await proxy(new NextRequest("http://localhost/settings", { headers: { [PEER_HEADER]: address, cookie: guestCookie, ...headers } }));
      expect(page.headers.get("set-cookie")).toMatch(/^tether_session=/);
    }
    expect(await users()).toBe(before + 2);
    // Without any cookie (signed out), a client-side navigation still gets a guest.
    const signedOut = await proxy(new NextRequest("http://localhost/", { headers: { [PEER_HEADER]: address, "sec-fetch-dest": "empty", "sec-fetch-mode": "cors" } }));
    expect(signedOut.headers.get("set-cookie")).toMatch(/^tether_session=/);
  });

  it("says nothing on a page whose request carries no refusal", () => {
    expect(guestLimitNotice(new Headers())).toBeNull();
    expect(guestLimitNotice(new Headers({ [GUEST_LIMITED_HEADER]: "junk" }))).toBeNull();
    expect(guestLimitNotice(new Headers({ [GUEST_LIMITED_HEADER]: "61" }))).toEqual({ retryInMinutes: 2 });
  });
});
