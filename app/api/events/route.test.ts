// The per-user event stream (docs/PROTOCOL.md §4.8) through the real routes:
// sessions, what each change announces, isolation between users, resume by
// Last-Event-ID (exactly once, in order) and reset when that is not possible.
import { describe, expect, it } from "vitest";
import { getEventListeners } from "node:events";
import { guestWithConversation, useRouteHarness } from "@/lib/testing/route-harness";
import { call, readSse, type SseFrame } from "@/lib/testing/route-client";
import { followEvents } from "@/lib/testing/user-events";
import { getApp } from "@/lib/runtime";
import * as events from "@/app/api/events/route";
import * as conversations from "@/app/api/conversations/route";
import * as conversation from "@/app/api/conversations/[id]/route";
import * as messages from "@/app/api/conversations/[id]/messages/route";
import * as stop from "@/app/api/messages/[id]/stop/route";

const h = useRouteHarness("user_events", { CONVERSATION_TITLES: "off" });

const named = (name: string) => (f: SseFrame) => f.event === name;
const post = (cookie: string, cid: string, content: string) => call(messages.POST, "POST", "/", { cookie, params: { id: cid }, body: { content, stream: false } });

describe("GET /api/events", () => {
  it("needs a session", async () => {
    const res = await call(events.GET, "GET", "/api/events");
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe("unauthorized");
  });

  it("starts with a snapshot, then announces conversations and replies as they happen", async () => {
    const { cookie, cid } = await guestWithConversation();
    const tab = await followEvents(cookie);
    const first = await tab.next(() => true);
    expect(first).toMatchObject({ event: "snapshot", data: { generating: [] } });
    expect(first.id).toBeGreaterThan(0);

    h.fake.enqueue({ text: "Hello!" });
    const answer = await (await post(cookie, cid, "Hi there")).json();
    const ended = await tab.next(named("reply.ended"));
    const created = await (await call(conversations.POST, "POST", "/", { cookie, body: { title: "Second" } })).json();
    await call(conversation.PATCH, "PATCH", "/", { cookie, params: { id: created.id }, body: { title: "Renamed" } });
    await call(conversation.DELETE, "DELETE", "/", { cookie, params: { id: created.id } });
    await tab.next(named("conversation.deleted"));
    tab.close();

    const after = tab.frames.slice(1);
    expect(after.map((f) => f.event)).toEqual([
      "conversation.titled",
      "message.created",
      "reply.started",
      "reply.ended",
      "conversation.created",
      "conversation.updated",
      "conversation.deleted",
    ]);
    // Ids: one more each time, after the snapshot's.
    expect(after.map((f) => f.id)).toEqual(after.map((_, i) => first.id! + 1 + i));
    const [titled, userMsg, started] = after;
    expect(titled.data).toEqual({ conversationId: cid, title: "Hi there" });
    expect(userMsg.data).toEqual({ conversationId: cid, messageId: answer.userMessage.id, role: "user" });
    expect(started.data).toEqual({ conversationId: cid, messageId: answer.assistantMessage.id, userMessageId: answer.userMessage.id });
    expect(ended.data).toEqual({ conversationId: cid, messageId: answer.assistantMessage.id, status: "complete" });
    expect(after[4].data.conversation).toMatchObject({ id: created.id, title: "Second" });
    expect(after[5].data.conversation).toMatchObject({ id: created.id, title: "Renamed" });
    expect(after[6].data).toEqual({ conversationId: created.id });
  });

  it("lists generating replies in the snapshot, and says `stopped` when one is stopped", async () => {
    const { cookie, cid } = await guestWithConversation();
    h.fake.enqueue({ text: "a long answer that never ends", chunk: 2, end: "stall" });
    const sent = h.fake.requests.length;
    const res = await call(messages.POST, "POST", "/", { cookie, params: { id: cid }, body: { content: "go", stream: true } });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const head = (await reader.read()).value!;
    await h.fake.waitForRequests(sent + 1); // the stalling answer is taken before Stop (else a later post gets it)
    const replyId = /"message":\{"id":"([0-9a-f-]{36})"/.exec(head)![1];
    const tab = await followEvents(cookie);
    expect(await tab.next(() => true)).toMatchObject({ event: "snapshot", data: { generating: [{ conversationId: cid, messageId: replyId }] } });
    await call(stop.POST, "POST", "/", { cookie, params: { id: replyId } });
    expect((await tab.next(named("reply.ended"))).data).toEqual({ conversationId: cid, messageId: replyId, status: "stopped" });
    await reader.cancel();
    tab.close();
  });

  it("never shows one user another user's events", async () => {
    const alice = await guestWithConversation();
    const bob = await guestWithConversation();
    const bobTab = await followEvents(bob.cookie);
    await bobTab.next(named("snapshot"));
    h.fake.enqueue({ text: "for Alice" });
    await post(alice.cookie, alice.cid, "Alice's secret");
    const other = await (await call(conversations.POST, "POST", "/", { cookie: alice.cookie, body: { title: "Alice's chat" } })).json();
    await call(conversation.PATCH, "PATCH", "/", { cookie: alice.cookie, params: { id: other.id }, body: { title: "Alice renamed" } });
    await call(conversation.DELETE, "DELETE", "/", { cookie: alice.cookie, params: { id: other.id } });
    // Bob's own change comes after all of Alice's: it is the first thing his stream hears.
    const mine = await (await call(conversations.POST, "POST", "/", { cookie: bob.cookie, body: { title: "Bob's" } })).json();
    await bobTab.next(named("conversation.created"));
    bobTab.close();
    expect(bobTab.frames.map((f) => f.event)).toEqual(["snapshot", "conversation.created"]);
    expect(bobTab.frames[1].data.conversation.id).toBe(mine.id);
    expect(JSON.stringify(bobTab.frames)).not.toMatch(new RegExp(`${alice.cid}|${other.id}|Alice`));
    // Bob resuming from before Alice's changes gets none of them either.
    const resumed = await followEvents(bob.cookie, { "last-event-id": String(bobTab.frames[0].id) });
    await resumed.next(named("conversation.created"));
    resumed.close();
    expect(resumed.frames.map((f) => f.event)).toEqual(["conversation.created"]);
  });

  it("resumes after Last-Event-ID with every missed event exactly once, in order, then live", async () => {
    const { cookie } = await guestWithConversation();
    const tab = await followEvents(cookie);
    await tab.next(named("snapshot"));
    const ids: string[] = [];
    for (const title of ["one", "two", "three", "four"]) ids.push((await (await call(conversations.POST, "POST", "/", { cookie, body: { title } })).json()).id);
    await tab.next((f) => f.event === "conversation.created" && f.data.conversation.title === "four");
    tab.close();
    const seen = tab.frames.slice(1);
    for (const k of [0, 1, 3]) {
      const again = await followEvents(cookie, { "last-event-id": String(seen[k].id) });
      // Nothing new yet: a live event after the replay proves the replay is complete.
      await call(conversation.PATCH, "PATCH", "/", { cookie, params: { id: ids[0] }, body: { title: `live ${k}` } });
      const live = await again.next((f) => f.event === "conversation.updated" && f.data.conversation.title === `live ${k}`);
      again.close();
      const replayed = again.frames.slice(0, again.frames.indexOf(live));
      expect(replayed).toEqual(seen.slice(k + 1));
      expect(live.id).toBe(seen.at(-1)!.id! + 1);
      seen.push(live);
    }
    // ?after= works like the header; the header wins when both come.
    const res = await call(events.GET, "GET", `/api/events?after=${seen.at(-1)!.id}`, { cookie });
    const ctrl = res.body!.getReader();
    await call(conversations.POST, "POST", "/", { cookie, body: { title: "five" } });
    const chunk = new TextDecoder().decode((await ctrl.read()).value);
    await ctrl.cancel();
    expect(chunk).toMatch(/^id: \d+\nevent: conversation\.created\n/);
  });

  it("answers `reset` with the generating replies when the id is too old, unknown or not an id", async () => {
    const { cookie } = await guestWithConversation();
    const tab = await followEvents(cookie);
    const snap = await tab.next(named("snapshot"));
    tab.close();
    for (const bad of ["1", String(snap.id! + 1000), "abc", "-5", "1.5", "9".repeat(16)]) {
      const again = await followEvents(cookie, { "last-event-id": bad });
      const first = await again.next(() => true);
      again.close();
      expect(first, bad).toMatchObject({ event: "reset", id: snap.id, data: { generating: [] } });
    }
    // Header present but unusable: reset, even with a usable ?after=.
    const res = await call(events.GET, "GET", `/api/events?after=${snap.id}`, { cookie, headers: { "last-event-id": "x" } });
    const reader = res.body!.getReader();
    const text = new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text).toContain("event: reset\n");
  });

  it("is an event stream with the reply streams' headers", async () => {
    const { cookie } = await guestWithConversation();
    const ctrl = new AbortController();
    const res = await call(events.GET, "GET", "/api/events", { cookie, signal: ctrl.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache, no-transform");
    ctrl.abort();
    // Closed by the client going away: the body ends.
    await readSse(res);
  });

  it("lets go of the instance's shutdown signal once the client has gone (a long-lived server keeps no closed stream)", async () => {
    const { cookie } = await guestWithConversation();
    const listening = () => getEventListeners(getApp().shutdown.signal, "abort").length;
    const before = listening();
    const tabs = await Promise.all([followEvents(cookie), followEvents(cookie), followEvents(cookie)]);
    await Promise.all(tabs.map((t) => t.next(() => true)));
    expect(listening()).toBe(before + 3);
    tabs.forEach((t) => t.close());
    await expect.poll(listening).toBe(before);
  });

  it("ends when the instance begins to shut down (its HTTP server can then close), and is refused while it drains", async () => {
    const { cookie } = await guestWithConversation();
    const restore = h.reconfigure({});
    try {
      const res = await call(events.GET, "GET", "/api/events", { cookie });
      expect(res.status).toBe(200);
      const reading = readSse(res, (f) => f.event === "snapshot" && getApp().shutdown.begin());
      // The body ends by itself: a stream left open would keep this read (and the server) waiting.
      expect((await reading).map((f) => f.event)).toEqual(["snapshot"]);
      const again = await call(events.GET, "GET", "/api/events", { cookie });
      expect(again.status).toBe(503);
      expect((await again.json()).error.code).toBe("unavailable");
    } finally {
      await restore();
    }
  });
});
