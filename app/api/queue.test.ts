// Queued follow-ups (docs/PROTOCOL.md §3.8), black-box through the real
// routes: a message queued while a reply streams starts by itself on the
// server once that reply ends complete (no tab needed), oldest first, each
// exactly once and after the previous reply; an interrupted or failed reply
// holds the queue until a Continue ends complete; a message queued on a
// ready conversation starts at once; the owner's event stream hears every
// change. Replies are held mid-way by a tool that waits for the test (`hold`).
import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { call, readSse, type SseFrame } from "@/lib/testing/route-client";
import { expectError, newConversation, newGuest, post, TRICKY } from "@/lib/testing/api-steps";
import { ToolRegistry } from "@/lib/tools";
import type { Message } from "@/lib/chat/types";
import { GENERATING_STATUSES } from "@/lib/reply/status";
import { waitingQueues } from "@/lib/reply/queue";
import * as queue from "@/app/api/conversations/[id]/queue/route";
import * as queued from "@/app/api/queue/[id]/route";
import * as stop from "@/app/api/messages/[id]/stop/route";
import * as cont from "@/app/api/messages/[id]/continue/route";
import { holdTool, newGate } from "@/lib/testing/hold-tool";
import { type Queued, listQueue, shown, until, settled } from "@/lib/testing/queue-steps";

let gate = newGate();
const hold = holdTool(() => gate);
const h = useRouteHarness("queue", { CHECKPOINT_INTERVAL_MS: "20" }, { parts: { tools: new ToolRegistry([hold]) } });

const enqueue = (cookie: string, cid: string, content: string) => call(queue.POST, "POST", "/", { cookie, params: { id: cid }, body: { content } });
async function queueOk(cookie: string, cid: string, content: string): Promise<{ queued: Queued; started: boolean }> {
  const res = await enqueue(cookie, cid, content);
  expect(res.status).toBe(201);
  return res.json();
}
const allMessages = (cid: string) => h.db.prisma.message.findMany({ where: { conversationId: cid }, orderBy: { createdAt: "asc" } });

/** Polls until `ok` (a bound, not a timing assertion). */
/** No queue ready to start, then nothing generating (in this order, a start in between is seen). */
const quiet = async () =>
  (await waitingQueues(h.db.prisma)).length === 0 && (await h.db.prisma.message.count({ where: { status: { in: [...GENERATING_STATUSES] } } })) === 0;
/** The shown path once it has `n` messages, the last a finished reply. */

/** A reply posted to `cid` that waits in `hold` (generating) until gate.open(); its stream read in the background. */
async function heldReply(cookie: string, cid: string, after: { text: string; end?: "error"; failAfter?: number } = { text: "All checked." }, signal?: AbortSignal) {
  // The test before may have failed with its reply held: let it and its queue end first.
  gate.open();
  await until("the test before to be quiet", quiet, (q) => q);
  gate = newGate();
  h.fake.reset(); // a stopped reply leaves its second answer queued
  h.fake.enqueue({ text: "Let me check: ", chunk: 3, tool: { id: `toolu_${randomUUID().slice(0, 8)}`, name: "hold", input: {} } }, { chunk: 2, ...after });
  let snapshot!: (f: SseFrame) => void;
  const first = new Promise<SseFrame>((r) => (snapshot = r));
  const ended = readSse(await post(cookie, cid, { content: "first" }, signal), (f) => f.event === "snapshot" && snapshot(f)).catch(() => [] as SseFrame[]);
  const reply = (await first).data.message as Message;
  await gate.reached;
  return { replyId: reply.id, ended };
}

describe("a message queued while a reply streams", () => {
  it("is shown queued, then starts by itself when the reply completes: byte-exact, in order, each once, each after the reply before", async () => {
    const cookie = await newGuest();
    const c = await newConversation(cookie);
    const { replyId, ended } = await heldReply(cookie, c.id);
    const q1 = await queueOk(cookie, c.id, TRICKY);
    expect(q1).toEqual({ queued: { id: expect.any(String), content: TRICKY, createdAt: expect.any(String), updatedAt: expect.any(String) }, started: false });
    const q2 = await queueOk(cookie, c.id, "second follow-up");
    const q3 = await queueOk(cookie, c.id, "third follow-up");
    expect(q2.started || q3.started).toBe(false);
    const waiting = [q1.queued, q2.queued, q3.queued];
    expect(await listQueue(cookie, c.id)).toEqual(waiting);
    const before = await shown(cookie, c.id);
    expect(before.queue).toEqual(waiting);
    expect(before.messages.map((m) => m.status)).toEqual(["complete", "streaming"]);
    expect(h.fake.requests.length).toBe(1); // nothing started meanwhile

    gate.open();
    expect((await ended).at(-1)!.data.message).toMatchObject({ id: replyId, status: "complete", content: "Let me check: All checked." });
    const after = await settled(cookie, c.id, 8);
    expect(after.queue).toEqual([]);
    expect(await listQueue(cookie, c.id)).toEqual([]);
    const [, reply, ...started] = after.messages;
    expect(reply).toMatchObject({ id: replyId, status: "complete" });
    const contents = [TRICKY, "second follow-up", "third follow-up"];
    expect(started.map((m) => [m.role, m.status, m.content])).toEqual(
      contents.flatMap((t) => [
        ["user", "complete", t],
        ["assistant", "complete", `Echo: ${t}`],
      ]),
    );
    expect(started[0].parts).toEqual([{ type: "text", text: TRICKY }]);
    // Each follows the reply before it on the path, and started once that reply was complete (its whole text in the history sent upstream).
    started.forEach((m, i) => expect(m.parentId).toBe((i === 0 ? reply : started[i - 1]).id));
    const upstream = h.fake.requests.slice(2).map((r) => r.body.messages as { role: string; content: unknown }[]);
    expect(upstream.map((m) => JSON.stringify(m.at(-1)!.content))).toEqual(contents.map((t) => expect.stringContaining(JSON.stringify(t).slice(1, -1))));
    expect(JSON.stringify(upstream[1])).toContain(JSON.stringify(`Echo: ${TRICKY}`).slice(1, -1));
    expect(JSON.stringify(upstream[2])).toContain("Echo: second follow-up");
    // Exactly once: no other message in the conversation, on or off the path.
    expect((await allMessages(c.id)).map((m) => m.id)).toEqual(after.messages.map((m) => m.id));
    expect(h.fake.requests.length).toBe(5);
    // Started: no longer queued.
    await expectError(await call(queued.PATCH, "PATCH", "/", { cookie, params: { id: q1.queued.id }, body: { content: "too late" } }), 404, "not_found");
    await expectError(await call(queued.DELETE, "DELETE", "/", { cookie, params: { id: q3.queued.id } }), 404, "not_found");
  });

  it("starts with no client connected: the poster's stream aborted mid-reply, no tab open", async () => {
    const cookie = await newGuest();
    const c = await newConversation(cookie);
    const client = new AbortController();
    const { replyId, ended } = await heldReply(cookie, c.id, undefined, client.signal);
    expect((await queueOk(cookie, c.id, "while nobody watches")).started).toBe(false);
    client.abort();
    await ended;
    gate.open();
    const after = await settled(cookie, c.id, 4);
    expect(after.messages.map((m) => [m.role, m.status, m.content])).toEqual([
      ["user", "complete", "first"],
      ["assistant", "complete", "Let me check: All checked."],
      ["user", "complete", "while nobody watches"],
      ["assistant", "complete", "Echo: while nobody watches"],
    ]);
    expect(after.messages[2].parentId).toBe(replyId);
    expect(after.queue).toEqual([]);
    expect(await allMessages(c.id)).toHaveLength(4);
  });
});

describe("a reply that does not end complete holds the queue", () => {
  /** Nothing starts: not by the sweep, not by a direct try, and the queue is as it was. */
  async function expectHeld(cookie: string, cid: string, waiting: Queued[], messages: number) {
    const requests = h.fake.requests.length;
    await h.app.replyJobs.sweepStale();
    expect(await h.app.startQueued(cid)).toBe(false);
    expect(await listQueue(cookie, cid)).toEqual(waiting);
    expect(await allMessages(cid)).toHaveLength(messages);
    expect(h.fake.requests.length).toBe(requests);
  }

  it("Stop (interrupted): nothing starts, a new queued message waits too; a Continue that completes starts them in order", async () => {
    const cookie = await newGuest();
    const c = await newConversation(cookie);
    const { replyId, ended } = await heldReply(cookie, c.id);
    const q1 = (await queueOk(cookie, c.id, "after the stop")).queued;
    const stopped = await (await call(stop.POST, "POST", "/", { cookie, params: { id: replyId } })).json();
    expect(stopped.status).toBe("interrupted");
    await ended;
    await expectHeld(cookie, c.id, [q1], 2);
    const q2 = await queueOk(cookie, c.id, "queued while held");
    expect(q2.started).toBe(false);
    await expectHeld(cookie, c.id, [q1, q2.queued], 2);

    const continued = await call(cont.POST, "POST", "/", { cookie, params: { id: replyId }, body: { stream: false } });
    expect((await continued.json()).assistantMessage).toMatchObject({ id: replyId, status: "complete" });
    const after = await settled(cookie, c.id, 6);
    expect(after.messages.slice(2).map((m) => [m.role, m.content])).toEqual([
      ["user", "after the stop"],
      ["assistant", "Echo: after the stop"],
      ["user", "queued while held"],
      ["assistant", "Echo: queued while held"],
    ]);
    expect(after.queue).toEqual([]);
    expect(await allMessages(c.id)).toHaveLength(6);
  });

  it("failed: nothing starts; a Continue that completes starts it", async () => {
    const cookie = await newGuest();
    const c = await newConversation(cookie);
    const { replyId, ended } = await heldReply(cookie, c.id, { text: "and then it broke", end: "error", failAfter: 4 });
    const q = (await queueOk(cookie, c.id, "after the failure")).queued;
    gate.open();
    expect((await ended).at(-1)!.data.message.status).toBe("failed");
    await expectHeld(cookie, c.id, [q], 2);
    h.fake.enqueue({ text: "mended" });
    const continued = await call(cont.POST, "POST", "/", { cookie, params: { id: replyId }, body: { stream: false } });
    expect((await continued.json()).assistantMessage).toMatchObject({ id: replyId, status: "complete" });
    const after = await settled(cookie, c.id, 4);
    expect(after.messages.slice(2).map((m) => [m.role, m.status, m.content])).toEqual([
      ["user", "complete", "after the failure"],
      ["assistant", "complete", "Echo: after the failure"],
    ]);
    expect(after.messages[2].parentId).toBe(replyId);
    expect(after.queue).toEqual([]);
  });
});

describe("a message queued on a ready conversation", () => {
  it("starts at once after a complete reply: started, not queued, its reply runs", async () => {
    // Titles on: the title request comes after the reply's own look at the queue (afterReply), so the
    // conversation is idle for sure then. A message queued before that look may be started by it,
    // and the route then answers `started: false` for a message that did start (reported bug).
    const restore = h.reconfigure({ CONVERSATION_TITLES: "on" });
    try {
      const cookie = await newGuest();
      const c = await newConversation(cookie);
      h.fake.reset();
      h.fake.enqueue({ text: "done already" }, { text: "A title" });
      const first = await (await post(cookie, c.id, { content: "hello", stream: false })).json();
      await h.fake.waitForRequests(2);
      const r = await queueOk(cookie, c.id, TRICKY);
      expect(r).toMatchObject({ queued: { content: TRICKY }, started: true });
      expect(await listQueue(cookie, c.id)).toEqual([]);
      const after = await settled(cookie, c.id, 4);
      expect(after.messages.slice(2).map((m) => [m.role, m.status, m.content])).toEqual([
        ["user", "complete", TRICKY],
        ["assistant", "complete", `Echo: ${TRICKY}`],
      ]);
      expect(after.messages[2].parentId).toBe(first.assistantMessage.id);
      expect(after.queue).toEqual([]);
      expect(await allMessages(c.id)).toHaveLength(4);
    } finally {
      await restore();
    }
  });

  it("starts at once in a brand-new empty conversation, which it names", async () => {
    const cookie = await newGuest();
    const c = await newConversation(cookie);
    expect((await queueOk(cookie, c.id, "the very first words")).started).toBe(true);
    const after = await settled(cookie, c.id, 2);
    expect(after.messages.map((m) => [m.role, m.status, m.content, m.parentId ?? null])).toEqual([
      ["user", "complete", "the very first words", null],
      ["assistant", "complete", "Echo: the very first words", after.messages[0].id],
    ]);
    expect((await shown(cookie, c.id)) as unknown).toMatchObject({ conversation: { title: "the very first words" }, queue: [] });
  });
});
