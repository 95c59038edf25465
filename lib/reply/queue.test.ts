// Starting queued follow-ups (queue.ts, docs/PROTOCOL.md §3.8) under limits
// and races, through the real routes and the app's own start and sweep: a
// start refused by the message rate leaves the message queued and the sweep
// starts it once the rate allows; starts racing each other start it exactly
// once; a start that read the queue before another took it starts nothing.
// A start is paused deterministically in its rate check (`GatedLimiter`).
import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { useRouteHarness } from "../testing/route-harness";
import { call, readSse, type SseFrame } from "../testing/route-client";
import { newConversation, newGuest, post } from "../testing/api-steps";
import { setApp } from "../runtime";
import { ToolRegistry } from "../tools";
import { RequestRateLimiter } from "../platform/rate-limit";
import type { App } from "../app";
import { startQueued } from "./queue";
import * as queue from "@/app/api/conversations/[id]/queue/route";
import * as queued from "@/app/api/queue/[id]/route";
import { holdTool, newGate } from "../testing/hold-tool";
import { type Queued, listQueue, shown, settled } from "../testing/queue-steps";

let gate = newGate();
const hold = holdTool(() => gate);
const h = useRouteHarness("queue_starts", {}, { parts: { tools: new ToolRegistry([hold]) } });

const enqueue = async (cookie: string, cid: string, content: string): Promise<{ queued: Queued; started: boolean }> => {
  const res = await call(queue.POST, "POST", "/", { cookie, params: { id: cid }, body: { content } });
  expect(res.status).toBe(201);
  return res.json();
};
const count = (cid: string) => h.db.prisma.message.count({ where: { conversationId: cid } });

/** Runs `f` with routes on an app whose message rate is `limit` per hour. */
async function withRate<T>(limit: number, f: (app: App) => Promise<T>, env: Record<string, string> = {}): Promise<T> {
  const limited = h.build({ MESSAGE_RATE_LIMIT: String(limit), MESSAGE_RATE_WINDOW_S: "3600", ...env });
  setApp(limited);
  try {
    return await f(limited);
  } finally {
    setApp(h.app);
    await limited.close();
  }
}

/**
 * A ready conversation (its reply complete) whose queue waits: its messages
 * were queued while the message rate (1 per hour, used by the first post)
 * refused every start, on that app's own sweep too.
 */
async function waitingQueue(...contents: string[]) {
  const cookie = await newGuest();
  const c = await newConversation(cookie);
  const waiting = await withRate(1, async (limited) => {
    h.fake.enqueue({ text: "first answer" });
    expect((await (await post(cookie, c.id, { content: "first", stream: false })).json()).assistantMessage.status).toBe("complete");
    const qs: Queued[] = [];
    for (const content of contents) {
      const r = await enqueue(cookie, c.id, content);
      expect(r.started).toBe(false);
      qs.push(r.queued);
    }
    await limited.replyJobs.sweepStale();
    expect(await limited.startQueued(c.id)).toBe(false);
    return qs;
  });
  expect(await listQueue(cookie, c.id)).toEqual(waiting);
  expect(await count(c.id)).toBe(2);
  return { cookie, cid: c.id, waiting };
}

/** A rate check that waits until the test opens it (then counts nothing): a start paused after it read the queue. */
class GatedLimiter extends RequestRateLimiter {
  readonly gate = newGate();
  constructor() {
    super({ points: 0, windowSec: 60 });
  }
  override async consume(key: string) {
    this.gate.reach();
    await this.gate.opened;
    return super.consume(key);
  }
}
/** h.app's start of a queued message, paused in its rate check. */
async function pausedStart(cid: string) {
  const limiter = new GatedLimiter();
  const deps = {
    admission: { ...(await h.app.admission()), limiter },
    handOver: { db: h.db.prisma, bus: h.app.bus, jobs: h.app.jobs, events: h.app.events },
    capacity: h.app.capacity,
  };
  const started = startQueued(deps, cid);
  await limiter.gate.reached;
  return { started, resume: () => limiter.gate.open() };
}

describe("a start refused by the message rate", () => {
  it("leaves the message queued (on the add, after the reply, on the sweep); the sweep starts it once the rate allows, once", async () => {
    const { cookie, cid, waiting } = await waitingQueue("when the rate allows");
    await h.app.replyJobs.sweepStale();
    const after = await settled(cookie, cid, 4);
    expect(after.messages.slice(2).map((m) => [m.role, m.status, m.content])).toEqual([
      ["user", "complete", waiting[0].content],
      ["assistant", "complete", `Echo: ${waiting[0].content}`],
    ]);
    expect(after.queue).toEqual([]);
    await h.app.replyJobs.sweepStale();
    expect(await count(cid)).toBe(4);
  });
});

describe("a start refused after the message rate counted it", () => {
  it("gives the request back: a queue that waits behind the per-user limit and is tried again uses none of the user's rate", async () => {
    const cookie = await newGuest();
    const a = await newConversation(cookie);
    const b = await newConversation(cookie);
    await withRate(
      3,
      async (limited) => {
        h.fake.reset();
        h.fake.enqueue({ text: "first answer" });
        expect((await (await post(cookie, b.id, { content: "first", stream: false })).json()).assistantMessage.status).toBe("complete"); // 1 of 3
        gate = newGate();
        h.fake.enqueue({ text: "Checking: ", tool: { id: `toolu_${randomUUID().slice(0, 8)}`, name: "hold", input: {} } }, { text: "done." });
        const held = readSse(await post(cookie, a.id, { content: "held" })); // 2 of 3
        await gate.reached;
        // B is ready, but A holds the user's only generation: every try is refused inside admission.
        expect((await enqueue(cookie, b.id, "after A")).started).toBe(false);
        for (let i = 0; i < 4; i++) await limited.replyJobs.sweepStale();
        expect(await limited.startQueued(b.id)).toBe(false);
        expect(await count(b.id)).toBe(2);
        gate.open();
        expect(((await held).at(-1) as SseFrame).data.message.status).toBe("complete");
        // The third request of the hour is still there for it.
        await limited.replyJobs.sweepStale();
        expect((await settled(cookie, b.id, 4)).messages.map((m) => m.content)).toEqual(["first", "first answer", "after A", "Echo: after A"]);
        const refused = await post(cookie, a.id, { content: "a fourth", stream: false });
        expect(refused.status).toBe(429);
        expect((await refused.json()).error.code).toBe("rate_limited");
      },
      { MAX_ACTIVE_GENERATIONS_PER_USER: "1" },
    );
  });
});

describe("starts racing each other", () => {
  it("two sweeps and two direct starts at once start the oldest exactly once; the next starts after its reply", async () => {
    const { cookie, cid, waiting } = await waitingQueue("oldest", "next");
    const results = await Promise.all([h.app.replyJobs.sweepStale(), h.app.replyJobs.sweepStale(), h.app.startQueued(cid), h.app.startQueued(cid)]);
    expect(results.filter((r) => r === true).length).toBeLessThanOrEqual(1);
    const after = await settled(cookie, cid, 6);
    expect(after.messages.slice(2).map((m) => [m.role, m.content])).toEqual([
      ["user", "oldest"],
      ["assistant", "Echo: oldest"],
      ["user", "next"],
      ["assistant", "Echo: next"],
    ]);
    expect(after.queue).toEqual([]);
    expect(await count(cid)).toBe(6);
    expect(waiting.map((q) => q.content)).toEqual(["oldest", "next"]);
  });

  it("a start that read the queue before another start took the message starts nothing (no second copy)", async () => {
    const { cookie, cid } = await waitingQueue("only once");
    const late = await pausedStart(cid);
    expect(await h.app.startQueued(cid)).toBe(true);
    await settled(cookie, cid, 4);
    late.resume();
    expect(await late.started).toBe(false);
    expect(await count(cid)).toBe(4);
    expect((await shown(cookie, cid)).messages.map((m) => m.content)).toEqual(["first", "first answer", "only once", "Echo: only once"]);
  });
});

describe("what a start takes and what the add answers", () => {
  // startNextQueued takes the message's content inside its transaction: an edit answered 200 before the take is what starts.
  it("an edit answered 200 before the start took the message is the text it starts with", async () => {
    const { cookie, cid, waiting } = await waitingQueue("old text");
    const paused = await pausedStart(cid);
    const edited = await call(queued.PATCH, "PATCH", "/", { cookie, params: { id: waiting[0].id }, body: { content: "new text" } });
    expect(edited.status).toBe(200);
    paused.resume();
    expect(await paused.started).toBe(true);
    expect((await settled(cookie, cid, 4)).messages[2].content).toBe("new text");
  });

  // The conversation's oldest queued message is what starts: the add's `started` says whether the one just added did.
  it("`started: true` means the message just queued started, not an older one", async () => {
    const { cookie, cid, waiting } = await waitingQueue("waiting since the rate refused it");
    const r = await enqueue(cookie, cid, "just queued");
    const stillQueued = (await listQueue(cookie, cid)).some((q) => q.id === r.queued.id);
    expect([r.started, stillQueued]).toEqual([!stillQueued, stillQueued]);
    expect(waiting).toHaveLength(1);
  });

  // Every start attempt passes enforceMessageRate before admission looks at the conversation, so a
  // message queued while a reply streams uses up a reply of the message rate without starting one.
  it("queueing while a reply streams starts no reply, so it uses none of the message rate", async () => {
    const cookie = await newGuest();
    const c = await newConversation(cookie);
    // Titles on: the title request comes right after the reply's start of the queue (afterReply).
    await withRate(
      2,
      async () => {
        gate = newGate();
        h.fake.reset();
        h.fake.enqueue({ text: "Checking: ", tool: { id: `toolu_${randomUUID().slice(0, 8)}`, name: "hold", input: {} } }, { text: "done." }, { text: "A title" });
        const ended = readSse(await post(cookie, c.id, { content: "first" }));
        await gate.reached;
        expect((await enqueue(cookie, c.id, "the second reply of the hour")).started).toBe(false);
        gate.open();
        expect(((await ended).at(-1) as SseFrame).data.message.status).toBe("complete");
        await h.fake.waitForRequests(3);
        expect(await listQueue(cookie, c.id)).toEqual([]);
        expect(await count(c.id)).toBe(4);
      },
      { CONVERSATION_TITLES: "on" },
    );
  });
});
