// The HTTP API of docs/PROTOCOL.md §3 through the real route handlers, on an in-memory
// PGlite, with replies from the real Anthropic SDK talking to the fake server.
import { GenerationRegistry } from "@/lib/reply/registry";
import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { getApp } from "@/lib/runtime";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { expectError, newConversation, newGuest, post } from "@/lib/testing/api-steps";
import { call } from "@/lib/testing/route-client";
import * as health from "@/app/api/health/route";
import * as guest from "@/app/api/auth/guest/route";
import * as conversations from "@/app/api/conversations/route";
import * as conversation from "@/app/api/conversations/[id]/route";
import * as messages from "@/app/api/conversations/[id]/messages/route";
import * as message from "@/app/api/messages/[id]/route";
import * as stop from "@/app/api/messages/[id]/stop/route";
import * as stream from "@/app/api/messages/[id]/stream/route";
import * as settings from "@/app/api/settings/route";

const h = useRouteHarness("api", { ANTHROPIC_MODEL: "claude-sonnet-5-5" });

describe("sessions and health", () => {
  it("answers health", async () => {
    const res = await call(health.GET, "GET", "/api/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, checks: { database: "ok", bus: "ok", instance: "ok" } });
  });

  it("says not ready while the instance drains for shutdown, so a load balancer moves on", async () => {
    const restore = h.reconfigure({});
    await getApp().shutdown.drain(new GenerationRegistry(), 0, 0);
    try {
      const res = await call(health.GET, "GET", "/api/health");
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ ok: false, checks: { instance: "draining" }, error: { code: "unavailable" } });
    } finally {
      await restore();
    }
    expect((await call(health.GET, "GET", "/api/health")).status).toBe(200);
  });

  it("creates a guest with an httpOnly SameSite=Lax cookie", async () => {
    const res = await call(guest.POST, "POST", "/api/auth/guest");
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.user.id).toMatch(/^[0-9a-f-]{36}$/);
    const set = res.headers.get("set-cookie")!;
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Lax/);
    expect(set).not.toContain(body.user.id); // sealed, not readable
  });

  it("answers 401 on every route without a session, and with a forged one", async () => {
    const id = randomUUID();
    for (const cookie of [undefined, "tether_session=Fe26.2*forged*value"]) {
      const cases: Response[] = await Promise.all([
        call(conversations.GET, "GET", "/api/conversations", { cookie }),
        call(conversations.POST, "POST", "/api/conversations", { cookie, body: {} }),
        call(conversation.GET, "GET", `/api/conversations/${id}`, { cookie, params: { id } }),
        call(conversation.PATCH, "PATCH", `/api/conversations/${id}`, { cookie, params: { id }, body: { title: "x" } }),
        call(conversation.DELETE, "DELETE", `/api/conversations/${id}`, { cookie, params: { id } }),
        call(messages.POST, "POST", `/api/conversations/${id}/messages`, { cookie, params: { id }, body: { content: "hi" } }),
        call(message.GET, "GET", `/api/messages/${id}`, { cookie, params: { id } }),
        call(stop.POST, "POST", `/api/messages/${id}/stop`, { cookie, params: { id } }),
        call(stream.GET, "GET", `/api/messages/${id}/stream`, { cookie, params: { id } }),
        call(settings.GET, "GET", "/api/settings", { cookie }),
        call(settings.PATCH, "PATCH", "/api/settings", { cookie, body: { streaming: false } }),
      ]);
      for (const res of cases) await expectError(res, 401, "unauthorized");
    }
  });
});

describe("CSRF", () => {
  it("refuses state-changing requests from another site, allows same-origin and non-browser ones", async () => {
    const cookie = await newGuest();
    const cross = await call(conversations.POST, "POST", "/api/conversations", { cookie, body: {}, headers: { origin: "https://evil.example", host: "localhost" } });
    await expectError(cross, 403, "forbidden");
    const fetchSite = await call(settings.PATCH, "PATCH", "/api/settings", { cookie, body: { streaming: false }, headers: { "sec-fetch-site": "cross-site" } });
    await expectError(fetchSite, 403, "forbidden");
    const nullOrigin = await call(conversations.POST, "POST", "/api/conversations", { cookie, body: {}, headers: { origin: "null" } });
    await expectError(nullOrigin, 403, "forbidden");
    const same = await call(conversations.POST, "POST", "/api/conversations", {
      cookie,
      body: {},
      headers: { origin: "http://localhost", "sec-fetch-site": "same-origin" },
    });
    expect(same.status).toBe(201);
    expect((await call(conversations.POST, "POST", "/api/conversations", { cookie, body: {} })).status).toBe(201);
    // Reads are never refused for their origin.
    expect((await call(conversations.GET, "GET", "/api/conversations", { cookie, headers: { "sec-fetch-site": "cross-site" } })).status).toBe(200);
    expect(await (await call(settings.GET, "GET", "/", { cookie })).json()).toMatchObject({ streaming: true });
  });
});

describe("CSRF: same-site is not same-origin, and DELETE changes state", () => {
  it("refuses a request from a sibling subdomain (Sec-Fetch-Site: same-site) that would change state", async () => {
    const cookie = await newGuest();
    const c = await newConversation(cookie, "kept");
    const sameSite = { "sec-fetch-site": "same-site" };
    await expectError(await call(conversations.POST, "POST", "/api/conversations", { cookie, body: {}, headers: sameSite }), 403, "forbidden");
    await expectError(await call(settings.PATCH, "PATCH", "/api/settings", { cookie, body: { streaming: false }, headers: sameSite }), 403, "forbidden");
    const requests = h.fake.requests.length;
    const message = { cookie, body: { content: "from a sibling", stream: false }, params: { id: c.id }, headers: sameSite };
    await expectError(await call(messages.POST, "POST", `/api/conversations/${c.id}/messages`, message), 403, "forbidden");
    expect(h.fake.requests.length).toBe(requests);
    await expectError(await call(conversation.DELETE, "DELETE", "/", { cookie, params: { id: c.id }, headers: sameSite }), 403, "forbidden");
    // Nothing changed; reads from the same site are fine.
    expect(await (await call(settings.GET, "GET", "/", { cookie, headers: sameSite })).json()).toMatchObject({ streaming: true });
    const res = await call(conversation.GET, "GET", "/", { cookie, params: { id: c.id }, headers: sameSite });
    expect(res.status).toBe(200);
    const shown = await res.json();
    expect(shown.conversation.title).toBe("kept");
    expect(shown.messages).toEqual([]);
  });

  it("refuses a cross-site DELETE (by Sec-Fetch-Site or by Origin) and keeps the conversation", async () => {
    const cookie = await newGuest();
    const c = await newConversation(cookie, "not yours to delete");
    const del = (headers: Record<string, string>) => call(conversation.DELETE, "DELETE", "/", { cookie, params: { id: c.id }, headers });
    await expectError(await del({ "sec-fetch-site": "cross-site" }), 403, "forbidden");
    await expectError(await del({ origin: "https://evil.example", host: "localhost" }), 403, "forbidden");
    expect((await call(conversation.GET, "GET", "/", { cookie, params: { id: c.id } })).status).toBe(200);
    // The same DELETE from the app itself goes through.
    expect((await del({ origin: "http://localhost", "sec-fetch-site": "same-origin" })).status).toBe(204);
    expect((await call(conversation.GET, "GET", "/", { cookie, params: { id: c.id } })).status).toBe(404);
  });
});

describe("conversations", () => {
  it("creates, lists newest first, renames and deletes", async () => {
    const cookie = await newGuest();
    const a = await newConversation(cookie, "First");
    const b = await newConversation(cookie);
    expect(b.title).toBe("New chat");
    let list = (await (await call(conversations.GET, "GET", "/api/conversations", { cookie })).json()).conversations;
    expect(list.map((c: { id: string }) => c.id)).toEqual([b.id, a.id]);

    // A new message moves its conversation to the top.
    h.fake.enqueue({ text: "ok" });
    const res = await post(cookie, a.id, { content: "bump", stream: false });
    expect(res.status).toBe(200);
    list = (await (await call(conversations.GET, "GET", "/api/conversations", { cookie })).json()).conversations;
    expect(list[0].id).toBe(a.id);

    const renamed = await call(conversation.PATCH, "PATCH", `/api/conversations/${b.id}`, { cookie, params: { id: b.id }, body: { title: "  Renamed ✨ " } });
    expect(renamed.status).toBe(200);
    expect((await renamed.json()).title).toBe("Renamed ✨");

    const del = await call(conversation.DELETE, "DELETE", `/api/conversations/${a.id}`, { cookie, params: { id: a.id } });
    expect(del.status).toBe(204);
    const gone = await call(conversation.GET, "GET", `/api/conversations/${a.id}`, { cookie, params: { id: a.id } });
    await expectError(gone, 404, "not_found");
  });

  it("rejects bad input with 400/413 and the error shape", async () => {
    const cookie = await newGuest();
    const c = await newConversation(cookie);
    const p = { id: c.id };
    await expectError(await call(conversations.POST, "POST", "/api/conversations", { cookie, rawBody: "{nope" }), 400, "invalid_json");
    await expectError(await call(conversations.POST, "POST", "/api/conversations", { cookie, body: { title: 5 } }), 400);
    await expectError(await call(conversations.POST, "POST", "/api/conversations", { cookie, body: [1, 2] }), 400);
    await expectError(await call(conversations.POST, "POST", "/api/conversations", { cookie, body: { title: "x".repeat(201) } }), 400);
    await expectError(await call(conversation.PATCH, "PATCH", `/api/conversations/${c.id}`, { cookie, params: p, body: { title: "   " } }), 400);
    await expectError(await call(conversation.PATCH, "PATCH", `/api/conversations/${c.id}`, { cookie, params: p, body: {} }), 400);
    await expectError(await post(cookie, c.id, {}), 400);
    await expectError(await post(cookie, c.id, { content: " \n\t " }), 400);
    await expectError(await post(cookie, c.id, { content: 42 }), 400);
    await expectError(await post(cookie, c.id, { content: "hi", stream: "yes" }), 400);
    await expectError(await post(cookie, c.id, { content: "😀".repeat(32_001) }), 413, "too_large");
    await expectError(await call(messages.POST, "POST", "/", { cookie, params: p, rawBody: "x".repeat(300_000) }), 413);
    await expectError(await call(settings.PATCH, "PATCH", "/api/settings", { cookie, body: { streaming: "off" } }), 400);
    await expectError(await call(conversation.GET, "GET", "/api/conversations/not-a-uuid", { cookie, params: { id: "not-a-uuid" } }), 404);
    // Nothing was saved by the refused posts.
    const got = await (await call(conversation.GET, "GET", `/api/conversations/${c.id}`, { cookie, params: p })).json();
    expect(got.messages).toEqual([]);
  });

  it("accepts content of exactly 32,000 code points, stored as sent", async () => {
    const cookie = await newGuest();
    const c = await newConversation(cookie);
    const content = "  " + "😀".repeat(31_995) + " \n ";
    expect([...content].length).toBe(32_000);
    h.fake.enqueue({ text: "long one" });
    const res = await post(cookie, c.id, { content, stream: false });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.userMessage.content).toBe(content);
  });
});

describe("isolation", () => {
  it("hides one user's conversations and messages from another (404 everywhere)", async () => {
    const alice = await newGuest();
    const bob = await newGuest();
    const c = await newConversation(alice, "Alice's secret");
    h.fake.enqueue({ text: "for alice only" });
    const sent = await (await post(alice, c.id, { content: "mine", stream: false })).json();
    const mid = sent.assistantMessage.id;
    const p = { id: c.id };
    const m = { id: mid };
    for (const res of [
      await call(conversation.GET, "GET", "/", { cookie: bob, params: p }),
      await call(conversation.PATCH, "PATCH", "/", { cookie: bob, params: p, body: { title: "pwned" } }),
      await call(conversation.DELETE, "DELETE", "/", { cookie: bob, params: p }),
      await post(bob, c.id, { content: "hi", stream: false }),
      await call(message.GET, "GET", "/", { cookie: bob, params: m }),
      await call(message.GET, "GET", "/", { cookie: bob, params: { id: sent.userMessage.id } }),
      await call(stop.POST, "POST", "/", { cookie: bob, params: m }),
      await call(stream.GET, "GET", "/", { cookie: bob, params: m }),
    ]) {
      await expectError(res, 404, "not_found");
    }
    const bobList = await (await call(conversations.GET, "GET", "/", { cookie: bob })).json();
    expect(bobList.conversations).toEqual([]);
    const still = await (await call(conversation.GET, "GET", "/", { cookie: alice, params: p })).json();
    expect(still.conversation.title).toBe("Alice's secret");
    expect(still.messages).toHaveLength(2);
  });
});

describe("settings", () => {
  it("defaults to streaming and persists a change per user", async () => {
    const a = await newGuest();
    const b = await newGuest();
    expect(await (await call(settings.GET, "GET", "/", { cookie: a })).json()).toMatchObject({ streaming: true });
    const patched = await call(settings.PATCH, "PATCH", "/", { cookie: a, body: { streaming: false } });
    expect(await patched.json()).toMatchObject({ streaming: false });
    expect(await (await call(settings.GET, "GET", "/", { cookie: a })).json()).toMatchObject({ streaming: false });
    expect(await (await call(settings.GET, "GET", "/", { cookie: b })).json()).toMatchObject({ streaming: true });
  });

  it("auto-resume is on by default and turned off per user; a non-boolean is 400 and changes nothing", async () => {
    const a = await newGuest();
    const b = await newGuest();
    expect(await (await call(settings.GET, "GET", "/", { cookie: a })).json()).toMatchObject({ autoResume: true, streaming: true });
    const patched = await call(settings.PATCH, "PATCH", "/", { cookie: a, body: { autoResume: false } });
    expect(await patched.json()).toMatchObject({ autoResume: false, streaming: true });
    await expectError(await call(settings.PATCH, "PATCH", "/", { cookie: a, body: { autoResume: "yes" } }), 400, "invalid_input");
    expect(await (await call(settings.GET, "GET", "/", { cookie: a })).json()).toMatchObject({ autoResume: false });
    expect(await (await call(settings.GET, "GET", "/", { cookie: b })).json()).toMatchObject({ autoResume: true });
  });
});
