// Queued follow-ups (docs/PROTOCOL.md §3.8), the routes around the queue:
// edit and remove (404 once started or removed), another user's queue (404,
// nothing changes), no session (401), malformed ids (404), the content rules
// and the limit of 20, the owner's events, and deletion with the
// conversation. The queue is held by a reply that failed, so what is queued
// stays queued until a Continue completes.
import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { call, type SseFrame } from "@/lib/testing/route-client";
import { expectError, newConversation, newGuest, post, TRICKY } from "@/lib/testing/api-steps";
import { followEvents } from "@/lib/testing/user-events";
import type { Message } from "@/lib/chat/types";
import * as queue from "@/app/api/conversations/[id]/queue/route";
import * as queued from "@/app/api/queue/[id]/route";
import * as conversation from "@/app/api/conversations/[id]/route";
import * as conversations from "@/app/api/conversations/route";
import * as cont from "@/app/api/messages/[id]/continue/route";
import { type Queued, listQueue, shown, settled } from "@/lib/testing/queue-steps";

const h = useRouteHarness("queue_routes", { MESSAGE_RATE_LIMIT: "0" });

const enqueue = (cookie: string | undefined, cid: string, o: { body?: unknown; rawBody?: string }) =>
  call(queue.POST, "POST", "/", { cookie, params: { id: cid }, ...o });
async function queueOk(cookie: string, cid: string, content: string): Promise<Queued> {
  const res = await enqueue(cookie, cid, { body: { content } });
  expect(res.status).toBe(201);
  const body = await res.json();
  expect(body.started).toBe(false); // held by the failed reply
  return body.queued;
}
const edit = (cookie: string | undefined, id: string, o: { body?: unknown; rawBody?: string }) => call(queued.PATCH, "PATCH", "/", { cookie, params: { id }, ...o });
const remove = (cookie: string | undefined, id: string) => call(queued.DELETE, "DELETE", "/", { cookie, params: { id } });
const continueReply = async (cookie: string, id: string) => {
  h.fake.enqueue({ text: "mended" });
  const res = await call(cont.POST, "POST", "/", { cookie, params: { id }, body: { stream: false } });
  expect((await res.json()).assistantMessage.status).toBe("complete");
};

/** A guest's conversation whose reply failed: its queue is held. */
async function heldConversation() {
  const cookie = await newGuest();
  const c = await newConversation(cookie);
  h.fake.enqueue({ text: "half an answer", end: "error", failAfter: 4 });
  const failed = (await (await post(cookie, c.id, { content: "first", stream: false })).json()).assistantMessage as Message;
  expect(failed.status).toBe("failed");
  return { cookie, cid: c.id, failedId: failed.id };
}

describe("editing and removing", () => {
  it("PATCH changes the text the message starts with; DELETE removes it for good; both 404 once started or removed", async () => {
    const { cookie, cid, failedId } = await heldConversation();
    const q1 = await queueOk(cookie, cid, "draft");
    const q2 = await queueOk(cookie, cid, "never mind");
    const res = await edit(cookie, q1.id, { body: { content: TRICKY } });
    expect(res.status).toBe(200);
    const edited = (await res.json()) as Queued;
    expect(edited).toEqual({ id: q1.id, content: TRICKY, createdAt: q1.createdAt, updatedAt: expect.any(String) });
    expect(Date.parse(edited.updatedAt)).toBeGreaterThanOrEqual(Date.parse(q1.updatedAt));
    const removed = await remove(cookie, q2.id);
    expect(removed.status).toBe(204);
    expect(await removed.text()).toBe("");
    expect(await listQueue(cookie, cid)).toEqual([edited]);
    for (const r of [await edit(cookie, q2.id, { body: { content: "back?" } }), await remove(cookie, q2.id)]) await expectError(r, 404, "not_found");

    await continueReply(cookie, failedId);
    const after = await settled(cookie, cid, 4);
    expect(after.messages.slice(2).map((m) => [m.role, m.content])).toEqual([
      ["user", TRICKY],
      ["assistant", `Echo: ${TRICKY}`],
    ]);
    // The removed one never starts, not even by the sweep.
    await h.app.replyJobs.sweepStale();
    expect(await h.app.startQueued(cid)).toBe(false);
    expect(await h.db.prisma.message.count({ where: { conversationId: cid } })).toBe(4);
    expect(await listQueue(cookie, cid)).toEqual([]);
    for (const id of [q1.id, q2.id]) {
      await expectError(await edit(cookie, id, { body: { content: "too late" } }), 404, "not_found");
      await expectError(await remove(cookie, id), 404, "not_found");
    }
  });
});

describe("whose queue", () => {
  it("another user's conversation or queued message is 404 for every route, and nothing changes", async () => {
    const alice = await heldConversation();
    const mine = await queueOk(alice.cookie, alice.cid, "alice's");
    const bob = await newGuest();
    const bobs = await newConversation(bob);
    await expectError(await call(queue.GET, "GET", "/", { cookie: bob, params: { id: alice.cid } }), 404, "not_found");
    await expectError(await enqueue(bob, alice.cid, { body: { content: "bob's" } }), 404, "not_found");
    await expectError(await edit(bob, mine.id, { body: { content: "bob was here" } }), 404, "not_found");
    await expectError(await remove(bob, mine.id), 404, "not_found");
    expect(await listQueue(alice.cookie, alice.cid)).toEqual([mine]);
    expect(await listQueue(bob, bobs.id)).toEqual([]);
    expect(await h.db.prisma.queuedMessage.count({ where: { conversation: { id: { in: [alice.cid, bobs.id] } } } })).toBe(1);
  });

  it("no session: 401; malformed or unknown ids: 404", async () => {
    const { cookie, cid } = await heldConversation();
    const mine = await queueOk(cookie, cid, "still here");
    for (const res of [
      await call(queue.GET, "GET", "/", { params: { id: cid } }),
      await enqueue(undefined, cid, { body: { content: "anon" } }),
      await edit(undefined, mine.id, { body: { content: "anon" } }),
      await remove(undefined, mine.id),
    ]) {
      await expectError(res, 401, "unauthorized");
    }
    for (const bad of ["not-a-uuid", `${cid}x`, "", randomUUID()]) {
      await expectError(await call(queue.GET, "GET", "/", { cookie, params: { id: bad } }), 404, "not_found");
      await expectError(await enqueue(cookie, bad, { body: { content: "lost" } }), 404, "not_found");
    }
    for (const bad of ["not-a-uuid", `${mine.id}x`, "", randomUUID(), cid]) {
      await expectError(await edit(cookie, bad, { body: { content: "lost" } }), 404, "not_found");
      await expectError(await remove(cookie, bad), 404, "not_found");
    }
    expect(await listQueue(cookie, cid)).toEqual([mine]);
  });
});

describe("what may be queued", () => {
  it("content as for a post: 400 empty, 413 past 32,000 code points, 400 extra fields or not JSON; the queue is untouched", async () => {
    const { cookie, cid } = await heldConversation();
    const mine = await queueOk(cookie, cid, "keep me");
    const astral = "😀".repeat(32_000); // 32,000 code points, 64,000 UTF-16 units
    const cases: [number, string, { body?: unknown; rawBody?: string }][] = [
      [400, "invalid_input", { body: { content: "" } }],
      [400, "invalid_input", { body: { content: " \n\t " } }],
      [413, "too_large", { body: { content: `${astral}x` } }],
      [400, "invalid_input", { body: { content: "hi", stream: false } }],
      [400, "invalid_input", { body: { content: "hi", attachments: [] } }],
      [400, "invalid_input", { body: { content: 42 } }],
      [400, "invalid_input", { body: {} }],
      [400, "invalid_json", { rawBody: "content=hi" }],
      [400, "invalid_input", { rawBody: '{"content":"a\\u0000b"}' }],
    ];
    for (const [status, code, o] of cases) {
      await expectError(await enqueue(cookie, cid, o), status, code);
      await expectError(await edit(cookie, mine.id, o), status, code);
    }
    expect(await listQueue(cookie, cid)).toEqual([mine]);
    // The limit itself is allowed, counted in code points.
    const big = await queueOk(cookie, cid, astral);
    expect(big.content).toBe(astral);
    const edited = await edit(cookie, mine.id, { body: { content: astral } });
    expect(edited.status).toBe(200);
  });

  it("holds at most 20 per conversation: the 21st is 429 queue_full and adds nothing; a removal makes room for one", async () => {
    const { cookie, cid } = await heldConversation();
    const twenty: Queued[] = [];
    for (let i = 1; i <= 20; i++) twenty.push(await queueOk(cookie, cid, `follow-up ${i}`));
    const body = await expectError(await enqueue(cookie, cid, { body: { content: "one too many" } }), 429, "queue_full");
    expect(Object.keys(body)).toEqual(["error"]);
    expect(await listQueue(cookie, cid)).toEqual(twenty);
    expect((await shown(cookie, cid)).queue).toEqual(twenty);
    // Removing one makes room for one.
    expect((await remove(cookie, twenty[0].id)).status).toBe(204);
    const last = await queueOk(cookie, cid, "room again");
    await expectError(await enqueue(cookie, cid, { body: { content: "full again" } }), 429, "queue_full");
    expect((await listQueue(cookie, cid)).map((q) => q.content)).toEqual([...twenty.slice(1).map((q) => q.content), last.content]);
  });
});

describe("the owner's event stream", () => {
  it("hears queue.changed for each add, edit, removal and start, and the start's message.created and reply.started; another user hears nothing", async () => {
    const { cookie, cid, failedId } = await heldConversation();
    const bob = await newGuest();
    const tab = await followEvents(cookie);
    const bobTab = await followEvents(bob);
    await tab.next((f) => f.event === "snapshot");
    await bobTab.next((f) => f.event === "snapshot");
    const q1 = await queueOk(cookie, cid, "one");
    const q2 = await queueOk(cookie, cid, "two");
    await edit(cookie, q1.id, { body: { content: "one, edited" } });
    await remove(cookie, q2.id);
    await continueReply(cookie, failedId);
    const after = await settled(cookie, cid, 4);
    const [startedUser, startedReply] = after.messages.slice(2);
    await tab.next((f) => f.event === "reply.ended" && f.data.messageId === startedReply.id);
    const seen = tab.frames.slice(1).map((f: SseFrame) => [f.event, f.data]);
    const changed = ["queue.changed", { conversationId: cid }];
    expect(seen.slice(0, 4)).toEqual([changed, changed, changed, changed]);
    // Continue's own reply, then the queued message's start (its announcements in any order), and its end.
    expect(seen.slice(4, 6)).toEqual([
      ["reply.started", { conversationId: cid, messageId: failedId }],
      ["reply.ended", { conversationId: cid, messageId: failedId, status: "complete" }],
    ]);
    expect(seen.slice(6, 9)).toEqual(
      expect.arrayContaining([
        ["message.created", { conversationId: cid, messageId: startedUser.id, role: "user" }],
        ["reply.started", { conversationId: cid, messageId: startedReply.id, userMessageId: startedUser.id }],
        changed,
      ]),
    );
    expect(seen.slice(9)).toEqual([["reply.ended", { conversationId: cid, messageId: startedReply.id, status: "complete" }]]);
    // Bob heard none of it: the next thing his stream carries is his own.
    const made = await (await call(conversations.POST, "POST", "/", { cookie: bob, body: {} })).json();
    await bobTab.next((f) => f.event === "conversation.created");
    expect(bobTab.frames.slice(1).map((f) => [f.event, f.data.conversation?.id])).toEqual([["conversation.created", made.id]]);
    expect(JSON.stringify(bobTab.frames)).not.toContain(cid);
    tab.close();
    bobTab.close();
  });
});

describe("deleting the conversation", () => {
  it("deletes its queue: nothing of it is left, nothing starts", async () => {
    const { cookie, cid } = await heldConversation();
    const q = await queueOk(cookie, cid, "gone with it");
    expect((await call(conversation.DELETE, "DELETE", "/", { cookie, params: { id: cid } })).status).toBe(204);
    expect(await h.db.prisma.queuedMessage.count({ where: { conversationId: cid } })).toBe(0);
    await expectError(await call(queue.GET, "GET", "/", { cookie, params: { id: cid } }), 404, "not_found");
    await expectError(await edit(cookie, q.id, { body: { content: "x" } }), 404, "not_found");
    await expectError(await remove(cookie, q.id), 404, "not_found");
    await h.app.replyJobs.sweepStale();
    expect(await h.app.startQueued(cid)).toBe(false);
    expect(await h.db.prisma.message.count({ where: { conversationId: cid } })).toBe(0);
  });
});
