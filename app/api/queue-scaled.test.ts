// Queued follow-ups (docs/PROTOCOL.md §3.8) across two instances over
// PostgreSQL and Redis: a message queued on instance B while the reply
// generates on A starts when A's reply completes, exactly once, and B shows
// it and tells its tabs; a waiting queue swept by both instances at once
// starts once; adds racing in concurrent transactions never pass the limit of 20. Replies are held mid-way by a tool that waits for the test.
import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { call, readSse, type SseFrame } from "@/lib/testing/route-client";
import { newConversation, newGuest, post, TRICKY } from "@/lib/testing/api-steps";
import { followEvents } from "@/lib/testing/user-events";
import { setApp } from "@/lib/runtime";
import { ToolRegistry } from "@/lib/tools";
import type { App } from "@/lib/app";
import type { Message } from "@/lib/chat/types";
import * as queue from "@/app/api/conversations/[id]/queue/route";
import * as regenerate from "@/app/api/messages/[id]/regenerate/route";
import * as select from "@/app/api/messages/[id]/select/route";
import { holdTool, newGate } from "@/lib/testing/hold-tool";
import { type Queued, shown, settled } from "@/lib/testing/queue-steps";

let gate = newGate();
const hold = holdTool(() => gate);
const h = useRouteHarness("queue_scaled", { CONVERSATION_TITLES: "off", MESSAGE_RATE_LIMIT: "0" }, { scaled: true, parts: { tools: new ToolRegistry([hold]) } });

/** Each request on the instance named. */
async function on<T>(app: App, f: () => Promise<T>): Promise<T> {
  setApp(app);
  try {
    return await f();
  } finally {
    setApp(h.app);
  }
}
const enqueue = async (cookie: string, cid: string, content: string): Promise<{ queued: Queued; started: boolean }> => {
  const res = await call(queue.POST, "POST", "/", { cookie, params: { id: cid }, body: { content } });
  expect(res.status).toBe(201);
  return res.json();
};
const count = (cid: string) => h.db.prisma.message.count({ where: { conversationId: cid } });

describe("queued follow-ups across instances (PostgreSQL + Redis)", () => {
  it("queued on B while A generates: starts once when A's reply completes; B shows it; B's tabs hear queue.changed", async () => {
    const b = h.build({});
    try {
      const cookie = await newGuest();
      const c = await newConversation(cookie);
      const tabOnB = await on(b, () => followEvents(cookie));
      await tabOnB.next((f) => f.event === "snapshot");
      gate = newGate();
      h.fake.reset();
      h.fake.enqueue({ text: "On A: ", tool: { id: `toolu_${randomUUID().slice(0, 8)}`, name: "hold", input: {} } }, { text: "done." });
      const ended = readSse(await post(cookie, c.id, { content: "first" })); // on A
      await gate.reached;

      const r = await on(b, () => enqueue(cookie, c.id, TRICKY));
      expect(r).toMatchObject({ queued: { content: TRICKY }, started: false });
      expect((await on(b, () => shown(cookie, c.id))).queue).toEqual([r.queued]);
      expect((await shown(cookie, c.id)).queue).toEqual([r.queued]); // A sees it too
      await tabOnB.next((f) => f.event === "queue.changed");

      gate.open();
      expect(((await ended).at(-1) as SseFrame).data.message).toMatchObject({ status: "complete", content: "On A: done." });
      const after = await on(b, () => settled(cookie, c.id, 4));
      expect(after.queue).toEqual([]);
      expect(after.messages.slice(2).map((m) => [m.role, m.status, m.content])).toEqual([
        ["user", "complete", TRICKY],
        ["assistant", "complete", `Echo: ${TRICKY}`],
      ]);
      expect(after.messages[2].parentId).toBe(after.messages[1].id);
      expect(await count(c.id)).toBe(4); // one new exchange, not two
      expect(h.fake.requests.length).toBe(3);

      const [startedUser, startedReply] = after.messages.slice(2);
      await tabOnB.next((f) => f.event === "reply.ended" && f.data.messageId === startedReply.id);
      const heard = tabOnB.frames.map((f) => [f.event, f.data.messageId ?? f.data.conversationId]);
      expect(heard.filter(([e]) => e === "queue.changed")).toEqual([
        ["queue.changed", c.id],
        ["queue.changed", c.id],
      ]);
      expect(heard).toEqual(
        expect.arrayContaining([
          ["message.created", startedUser.id],
          ["reply.started", startedReply.id],
        ]),
      );
      expect(heard.filter(([e]) => e === "reply.started")).toHaveLength(2);
      tabOnB.close();
    } finally {
      gate.open();
      await b.close();
    }
  });

  it("adds racing at the limit (PostgreSQL, concurrent transactions): exactly 20 are queued, the rest are 429 queue_full", async () => {
    const cookie = await newGuest();
    const c = await newConversation(cookie);
    h.fake.reset();
    h.fake.enqueue({ text: "then it broke", end: "error", failAfter: 4 });
    expect((await (await post(cookie, c.id, { content: "first", stream: false })).json()).assistantMessage.status).toBe("failed"); // holds the queue
    for (let i = 0; i < 18; i++) expect((await enqueue(cookie, c.id, `early ${i}`)).started).toBe(false);
    const racing = await Promise.all(
      Array.from({ length: 6 }, (_, i) => call(queue.POST, "POST", "/", { cookie, params: { id: c.id }, body: { content: `racing ${i}` } })),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([201, 201, 429, 429, 429, 429]);
    for (const r of racing.filter((x) => x.status === 429)) expect((await r.json()).error.code).toBe("queue_full");
    expect(await h.db.prisma.queuedMessage.count({ where: { conversationId: c.id } })).toBe(20);
    expect((await shown(cookie, c.id)).queue).toHaveLength(20);
  });

  it("a waiting queue swept and started by both instances at once starts exactly once", async () => {
    const b = h.build({});
    try {
      const cookie = await newGuest();
      const c = await newConversation(cookie);
      h.fake.reset();
      h.fake.enqueue({ text: "a fine answer" }, { text: "then it broke", end: "error", failAfter: 4 });
      const first = (await (await post(cookie, c.id, { content: "first", stream: false })).json()).assistantMessage as Message;
      const failed = await (await call(regenerate.POST, "POST", "/", { cookie, params: { id: first.id }, body: { stream: false } })).json();
      expect(failed.assistantMessage.status).toBe("failed");
      expect((await on(b, () => enqueue(cookie, c.id, "after the switch"))).started).toBe(false); // held
      // Back to the complete version: ready, but no reply ended, so the queue waits for a sweep.
      expect((await call(select.POST, "POST", "/", { cookie, params: { id: first.id } })).status).toBe(200);
      expect((await shown(cookie, c.id)).queue).toHaveLength(1);

      const results = await Promise.all([h.app.replyJobs.sweepStale(), b.replyJobs.sweepStale(), h.app.startQueued(c.id), b.startQueued(c.id)]);
      expect(results.filter((x) => x === true).length).toBeLessThanOrEqual(1);
      const after = await on(b, () => settled(cookie, c.id, 4));
      expect(after.queue).toEqual([]);
      expect(after.messages.map((m) => m.content)).toEqual(["first", "a fine answer", "after the switch", "Echo: after the switch"]);
      expect(after.messages[2].parentId).toBe(first.id);
      expect(await count(c.id)).toBe(5); // the failed version stays off the path; one new exchange
      await Promise.all([h.app.replyJobs.sweepStale(), b.replyJobs.sweepStale()]);
      expect(await count(c.id)).toBe(5);
    } finally {
      await b.close();
    }
  });
});
