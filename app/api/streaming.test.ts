// Stop, Continue and crash recovery through the real routes, the real SDK
// and the fake Anthropic server: byte-exact text, gap-free ids, final status.
import { describe, expect, it } from "vitest";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { call, cookieFrom, readSse, rebuildText, type SseFrame } from "@/lib/testing/route-client";
import { sweepStaleReplies } from "@/lib/reply/sweep";
import * as guest from "@/app/api/auth/guest/route";
import * as conversations from "@/app/api/conversations/route";
import * as messages from "@/app/api/conversations/[id]/messages/route";
import * as message from "@/app/api/messages/[id]/route";
import * as stop from "@/app/api/messages/[id]/stop/route";
import * as cont from "@/app/api/messages/[id]/continue/route";
import * as stream from "@/app/api/messages/[id]/stream/route";
import * as conversation from "@/app/api/conversations/[id]/route";

const h = useRouteHarness("streaming");

async function setup() {
  const cookie = cookieFrom(await call(guest.POST, "POST", "/api/auth/guest"));
  const conv = await (await call(conversations.POST, "POST", "/", { cookie, body: {} })).json();
  return { cookie, cid: conv.id as string };
}

/** Reads SSE frames until `until` says stop, then leaves (the generation goes on). */
async function readUntil(res: Response, until: (frames: SseFrame[]) => boolean): Promise<SseFrame[]> {
  const frames: SseFrame[] = [];
  const ctrl = new AbortController();
  await readSse(
    new Response(
      new ReadableStream({
        async start(c) {
          const reader = res.body!.getReader();
          ctrl.signal.addEventListener("abort", () => {
            void reader.cancel();
            c.close();
          });
          for (;;) {
            const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
            if (done || ctrl.signal.aborted) break;
            c.enqueue(value);
          }
          if (!ctrl.signal.aborted) c.close();
        },
      }),
    ),
    (f) => {
      frames.push(f);
      if (until(frames)) ctrl.abort();
    },
  );
  return frames;
}

const FULL = 'Hello there, 世界! 👋🏽 Ünïcode e\u0301 and data: {"id": 3}\n\nid: 9\nevent: done\n\n```ts\nconst x = 1;\n```\nThe end.';
const textSoFar = (frames: SseFrame[]) => rebuildText(frames);

describe("Stop", () => {
  for (const cut of [1, 7, 20]) {
    it(`stops after ${cut} deltas, keeps exactly the streamed text, ends upstream`, async () => {
      const { cookie, cid } = await setup();
      h.fake.enqueue({ text: FULL, chunk: 1, delayMs: 5 });
      const res = await call(messages.POST, "POST", "/", { cookie, params: { id: cid }, body: { content: `stop at ${cut}` } });
      const seen = await readUntil(res, (f) => f.filter((x) => x.event === "delta").length >= cut);
      const mid = seen[0].data.message.id;
      const upstream = h.fake.requests[h.fake.requests.length - 1];
      const stopped = await (await call(stop.POST, "POST", "/", { cookie, params: { id: mid } })).json();
      expect(stopped.status).toBe("interrupted");
      expect(FULL.startsWith(stopped.content)).toBe(true);
      expect(stopped.content.length).toBeGreaterThanOrEqual(textSoFar(seen).length);
      await upstream.closed;
      expect(upstream.aborted).toBe(true);
      // A watcher sees the same: replaying everything rebuilds the stored text.
      const all = await readSse(await call(stream.GET, "GET", "/?after=0", { cookie, params: { id: mid } }));
      expect(all.map((f) => f.id)).toEqual(all.map((_, i) => i + 1));
      expect(rebuildText(all)).toBe(stopped.content);
      expect(all[all.length - 1].data.message.status).toBe("interrupted");
      const stored = await (await call(message.GET, "GET", "/", { cookie, params: { id: mid } })).json();
      expect(stored.content).toBe(stopped.content);
    });
  }
});

describe("Continue", () => {
  it("resumes an interrupted reply into the same message: exact text, ids continue, snapshot on trim", async () => {
    const { cookie, cid } = await setup();
    // Cut right after "Hello " so the kept text ends in whitespace.
    h.fake.enqueue({ text: FULL, chunk: [6, 1], end: "stall", failAfter: 6 });
    const first = await call(messages.POST, "POST", "/", { cookie, params: { id: cid }, body: { content: "continue me" } });
    const seen = await readUntil(first, (f) => textSoFar(f) === "Hello ");
    const mid = seen[0].data.message.id;
    const stopped = await (await call(stop.POST, "POST", "/", { cookie, params: { id: mid } })).json();
    expect(stopped.content).toBe("Hello ");
    const before = await readSse(await call(stream.GET, "GET", "/", { cookie, params: { id: mid } }));
    const lastId = before[before.length - 1].id!;

    h.fake.enqueue({ text: FULL, chunk: [3, 1, 4] }); // the fake continues after the prefill
    const res = await call(cont.POST, "POST", "/", { cookie, params: { id: mid }, body: {} });
    expect(res.status).toBe(200);
    const frames = await readSse(res);
    expect(frames[0]).toMatchObject({ event: "snapshot", id: lastId });
    expect(frames.slice(1).map((f) => f.id)).toEqual(frames.slice(1).map((_, i) => lastId + 1 + i));
    const trim = frames.find((f, i) => i > 0 && f.event === "snapshot");
    expect(trim?.data.message.content).toBe("Hello"); // trailing space trimmed for the prefill
    const done = frames[frames.length - 1];
    expect(done.data.message.status).toBe("complete");
    expect(done.data.message.content).toBe(FULL);
    expect(done.data.message.parts).toEqual([{ type: "text", text: FULL }]);
    expect(rebuildText(frames)).toBe(FULL);
    const prefill = h.fake.requests[h.fake.requests.length - 1].body.messages.at(-1);
    expect(prefill.role).toBe("assistant");
    expect(JSON.stringify(prefill.content)).toContain("Hello");
    expect(JSON.stringify(prefill.content)).not.toContain("Hello ");
  });

  it("refuses to continue a complete or generating reply (409)", async () => {
    const { cookie, cid } = await setup();
    h.fake.enqueue({ text: "done already" });
    const r = await (await call(messages.POST, "POST", "/", { cookie, params: { id: cid }, body: { content: "x", stream: false } })).json();
    const res = await call(cont.POST, "POST", "/", { cookie, params: { id: r.assistantMessage.id }, body: {} });
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe("not_resumable");
    const u = await call(cont.POST, "POST", "/", { cookie, params: { id: r.userMessage.id }, body: {} });
    expect(u.status).toBe(409);
  });

  it("continues a failed reply without prefill on Claude 4.6+, with no doubled whitespace", async () => {
    const { cookie, cid } = await setup();
    const restore = h.reconfigure({ ANTHROPIC_MODEL: "claude-sonnet-4-6" });
    try {
      h.fake.enqueue({ text: "First half ", end: "error", chunk: 4 });
      const failed = await (await call(messages.POST, "POST", "/", { cookie, params: { id: cid }, body: { content: "fail then go", stream: false } })).json();
      expect(failed.assistantMessage.status).toBe("failed");
      expect(failed.assistantMessage.content).toBe("First half ");
      h.fake.enqueue({ text: " second half." });
      const res = await call(cont.POST, "POST", "/", { cookie, params: { id: failed.assistantMessage.id }, body: { stream: false } });
      const { assistantMessage } = await res.json();
      expect(assistantMessage.status).toBe("complete");
      expect(assistantMessage.error).toBeUndefined();
      expect(assistantMessage.content).toBe("First half second half.");
      const sent = h.fake.requests[h.fake.requests.length - 1].body.messages;
      expect(sent.at(-1).role).toBe("user"); // asked to continue, no prefill
      expect(JSON.stringify(sent.at(-2).content)).toContain("First half");
    } finally {
      await restore();
    }
  });
});

describe("crash recovery", () => {
  it("never reuses an id that a dead generation could have sent", async () => {
    const { cookie, cid } = await setup();
    h.fake.enqueue({ text: "abc" });
    const r = await (await call(messages.POST, "POST", "/", { cookie, params: { id: cid }, body: { content: "crash", stream: false } })).json();
    const id = r.assistantMessage.id;
    // Simulate a process that died mid-stream after reserving ids up to 1500.
    await h.db.prisma.message.update({ where: { id }, data: { status: "streaming", seq: 40, seqCeiling: 1500, updatedAt: new Date(Date.now() - 10_000) } });
    expect((await sweepStaleReplies(h.db.prisma, { staleMs: 5_000, liveIds: [] })).interrupted).toContain(id);
    const swept = await h.db.prisma.message.findUniqueOrThrow({ where: { id } });
    expect(swept.status).toBe("interrupted");
    expect(swept.seq).toBe(1501);
    h.fake.enqueue({ text: "abc and more" });
    const frames = await readSse(await call(cont.POST, "POST", "/", { cookie, params: { id }, body: {} }));
    expect(frames[0].id).toBe(1501);
    expect(frames.slice(1).every((f) => f.id! > 1501)).toBe(true);
    expect(frames[frames.length - 1].data.message.content).toBe("abc and more");
  });
});

describe("orphaned replies", () => {
  it("Stop on a reply whose generation died marks it interrupted and ends the streams still following it", async () => {
    const { cookie, cid } = await setup();
    h.fake.enqueue({ text: "kept part" });
    const r = await (await call(messages.POST, "POST", "/", { cookie, params: { id: cid }, body: { content: "orphan", stream: false } })).json();
    const id = r.assistantMessage.id;
    // As if its process died mid-stream: the row says streaming, nobody runs it,
    // and a tab is still attached to its stream.
    await h.db.prisma.message.update({ where: { id }, data: { status: "streaming", seq: 12, seqCeiling: 1000 } });
    const orphan = { ...r.assistantMessage, status: "streaming" as const };
    const bus = h.app.bus;
    await bus.open(orphan, 12);
    const following = readSse(await call(stream.GET, "GET", "/?after=12", { cookie, params: { id } }));

    const stopped = await (await call(stop.POST, "POST", "/", { cookie, params: { id } })).json();
    expect(stopped).toMatchObject({ status: "interrupted", content: "kept part" });
    const frames = await following; // ends: no waiting forever
    const done = frames.at(-1)!;
    expect(done.event).toBe("done");
    expect(done.id).toBe(1001); // past every id the dead run could have sent
    expect(done.data.message).toMatchObject({ status: "interrupted", content: "kept part" });
  });
});

describe("detached generations and upstream faults", () => {
  it("keeps generating after the client goes away, and saves the whole reply", async () => {
    const { cookie, cid } = await setup();
    h.fake.enqueue({ text: FULL, chunk: 2, delayMs: 2 });
    const res = await call(messages.POST, "POST", "/", { cookie, params: { id: cid }, body: { content: "leave early" } });
    const seen = await readUntil(res, (f) => f.some((x) => x.event === "delta"));
    const mid = seen[0].data.message.id;
    // Nobody is listening any more; a later visitor still gets the end.
    const rest = await readSse(await call(stream.GET, "GET", `/?after=${seen[seen.length - 1].id}`, { cookie, params: { id: mid } }));
    expect(rebuildText([...seen, ...rest])).toBe(FULL);
    const stored = await (await call(message.GET, "GET", "/", { cookie, params: { id: mid } })).json();
    expect([stored.status, stored.content]).toEqual(["complete", FULL]);
  });

  it("deleting a conversation stops its reply first and ends its streams", async () => {
    const { cookie, cid } = await setup();
    h.fake.enqueue({ text: "this will be cut off", end: "stall", failAfter: 8 });
    const res = await call(messages.POST, "POST", "/", { cookie, params: { id: cid }, body: { content: "delete me" } });
    const frames: SseFrame[] = [];
    let resolveFirst!: () => void;
    const firstDelta = new Promise<void>((r) => (resolveFirst = r));
    const all = readSse(res, (f) => {
      frames.push(f);
      if (f.event === "delta") resolveFirst();
    });
    await firstDelta;
    const upstream = h.fake.requests[h.fake.requests.length - 1];
    const del = await call(conversation.DELETE, "DELETE", "/", { cookie, params: { id: cid } });
    expect(del.status).toBe(204);
    await all; // the stream ended with `done`
    expect(frames[frames.length - 1].event).toBe("done");
    expect(frames[frames.length - 1].data.message.status).toBe("interrupted");
    await upstream.closed;
    expect(upstream.aborted).toBe(true);
    expect((await call(message.GET, "GET", "/", { cookie, params: { id: frames[0].data.message.id } })).status).toBe(404);
  });

  it("retries transient upstream errors before the first token invisibly", async () => {
    const { cookie, cid } = await setup();
    const before = h.fake.requests.length;
    h.fake.enqueue({ status: 529, times: 2, text: "after two overloads ✓" });
    const frames = await readSse(await call(messages.POST, "POST", "/", { cookie, params: { id: cid }, body: { content: "retry" } }));
    expect(h.fake.requests.length - before).toBe(3);
    expect(frames.some((f) => f.event === "error")).toBe(false);
    expect(frames[frames.length - 1].data.message).toMatchObject({ status: "complete", content: "after two overloads ✓" });
  });

  it("a dropped upstream socket ends the reply failed with its text kept; Continue finishes it", async () => {
    const { cookie, cid } = await setup();
    h.fake.enqueue({ text: FULL, end: "drop", failAfter: 13, chunk: 1 });
    const frames = await readSse(await call(messages.POST, "POST", "/", { cookie, params: { id: cid }, body: { content: "drop" } }));
    const done = frames[frames.length - 1].data.message;
    expect(done.status).toBe("failed");
    expect(done.error.code).toBe("upstream_connection");
    expect(done.content).toBe([...FULL].slice(0, 13).join(""));
    expect(frames.find((f) => f.event === "error")?.data.code).toBe("upstream_connection");
    h.fake.enqueue({ text: FULL });
    const again = await (await call(cont.POST, "POST", "/", { cookie, params: { id: done.id }, body: { stream: false } })).json();
    expect(again.assistantMessage).toMatchObject({ status: "complete", content: FULL });
  });

  it("an upstream that goes silent is aborted after the idle limit and ends failed", async () => {
    const { cookie, cid } = await setup();
    const restore = h.reconfigure({ UPSTREAM_IDLE_TIMEOUT_MS: "300" });
    try {
      h.fake.enqueue({ text: "silence after this", end: "stall", failAfter: 7, chunk: 1 });
      const frames = await readSse(await call(messages.POST, "POST", "/", { cookie, params: { id: cid }, body: { content: "stall" } }));
      const done = frames[frames.length - 1].data.message;
      expect(done.status).toBe("failed");
      expect(done.error.code).toBe("upstream_timeout");
      expect(done.content).toBe("silence");
      const upstream = h.fake.requests[h.fake.requests.length - 1];
      await upstream.closed;
      expect(upstream.aborted).toBe(true);
    } finally {
      await restore();
    }
  });
});
