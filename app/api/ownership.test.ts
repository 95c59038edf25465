// A message belongs to the user whose conversation holds it
// (docs/PROTOCOL.md §3): every route that takes a message id answers 404 for
// another user's message, as if it did not exist, and changes nothing. Real
// routes, in-memory PGlite, the real SDK against the fake Anthropic server.
import { describe, expect, it } from "vitest";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { call, readSse } from "@/lib/testing/route-client";
import { expectError, newConversation, newGuest, post } from "@/lib/testing/api-steps";
import * as message from "@/app/api/messages/[id]/route";
import * as continuation from "@/app/api/messages/[id]/continue/route";
import * as regenerate from "@/app/api/messages/[id]/regenerate/route";
import * as edit from "@/app/api/messages/[id]/edit/route";
import * as select from "@/app/api/messages/[id]/select/route";
import * as stop from "@/app/api/messages/[id]/stop/route";
import * as stream from "@/app/api/messages/[id]/stream/route";

const h = useRouteHarness("ownership");

/** Alice's conversation whose reply failed mid-stream (so it could be continued, by her). */
async function alicesFailedReply() {
  const alice = await newGuest();
  const c = await newConversation(alice);
  h.fake.enqueue({ text: "half an answer then boom", end: "error", failAfter: 13, chunk: 4 });
  const frames = await readSse(await post(alice, c.id, { content: "mine" }));
  const done = frames[frames.length - 1];
  expect(done.event).toBe("done");
  expect(done.data.message.status).toBe("failed");
  return { alice, reply: done.data.message as { id: string; content: string; parentId: string | null }, userMessage: frames[0].data.userMessage as { id: string } };
}

describe("another user's message", () => {
  it("cannot be continued: 404, and the reply stays as it was (no upstream request)", async () => {
    const { alice, reply } = await alicesFailedReply();
    const before = await h.db.prisma.message.findUniqueOrThrow({ where: { id: reply.id } });
    const bob = await newGuest();
    const requests = h.fake.requests.length;
    for (const stream of [false, true]) {
      await expectError(await call(continuation.POST, "POST", "/", { cookie: bob, params: { id: reply.id }, body: { stream } }), 404, "not_found");
    }
    const after = await h.db.prisma.message.findUniqueOrThrow({ where: { id: reply.id } });
    expect([after.status, after.seq, after.content]).toEqual([before.status, before.seq, before.content]);
    expect(h.fake.requests.length).toBe(requests);
    // Alice herself may continue it (the refusal above was about ownership, not the reply).
    h.fake.enqueue({ text: " and the rest" });
    const mine = await call(continuation.POST, "POST", "/", { cookie: alice, params: { id: reply.id }, body: { stream: false } });
    expect(mine.status).toBe(200);
    expect((await mine.json()).assistantMessage.status).toBe("complete");
  });

  it("is 404 for regenerate, edit, select, stop, stream and read, and nothing changes", async () => {
    const { reply, userMessage } = await alicesFailedReply();
    const bob = await newGuest();
    const requests = h.fake.requests.length;
    const rowsBefore = await h.db.prisma.message.count();
    const cases: [string, () => Promise<Response>][] = [
      ["regenerate", () => call(regenerate.POST, "POST", "/", { cookie: bob, params: { id: reply.id }, body: { stream: false } })],
      ["edit", () => call(edit.POST, "POST", "/", { cookie: bob, params: { id: userMessage.id }, body: { content: "mine now", stream: false } })],
      ["select", () => call(select.POST, "POST", "/", { cookie: bob, params: { id: reply.id } })],
      ["stop", () => call(stop.POST, "POST", "/", { cookie: bob, params: { id: reply.id } })],
      ["stream", () => call(stream.GET, "GET", "/", { cookie: bob, params: { id: reply.id } })],
      ["stream after", () => call(stream.GET, "GET", "/?after=0", { cookie: bob, params: { id: reply.id } })],
      ["read", () => call(message.GET, "GET", "/", { cookie: bob, params: { id: reply.id } })],
    ];
    for (const [what, request] of cases) {
      const res = await request();
      expect(res.status, what).toBe(404);
      expect((await res.json()).error.code, what).toBe("not_found");
    }
    expect(h.fake.requests.length).toBe(requests);
    expect(await h.db.prisma.message.count()).toBe(rowsBefore);
    const after = await h.db.prisma.message.findUniqueOrThrow({ where: { id: reply.id } });
    expect(after.status).toBe("failed");
  });
});
