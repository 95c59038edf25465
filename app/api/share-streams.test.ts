// A shared conversation's streams (docs/PROTOCOL.md §3.7), black-box through
// the real routes: a viewer follows a live reply byte-exact, with increasing
// ids, resuming by Last-Event-ID or ?after=, its messages as viewers see
// them; only messages on the current path open; a revocation or a deletion
// ends every open viewer at once while the reply goes on; the viewer's event
// stream says `changed` and `revoked`, never an id nor the owner's data.
// Replies are held mid-way by a tool that waits for the test (`hold`).
import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { call, readSse, rebuildText, type SseFrame } from "@/lib/testing/route-client";
import { expectError, newConversation, newGuest, post, TRICKY } from "@/lib/testing/api-steps";
import { followEvents } from "@/lib/testing/user-events";
import { ToolRegistry } from "@/lib/tools";
import { MemoryUserEventBus } from "@/lib/events/memory-bus";
import type { Message } from "@/lib/chat/types";
import * as share from "@/app/api/conversations/[id]/share/route";
import * as conversation from "@/app/api/conversations/[id]/route";
import * as regenerate from "@/app/api/messages/[id]/regenerate/route";
import * as stop from "@/app/api/messages/[id]/stop/route";
import * as cont from "@/app/api/messages/[id]/continue/route";
import { holdTool, newGate } from "@/lib/testing/hold-tool";
import { view, viewEvents, viewStream } from "@/lib/testing/share-steps";
import { followSse } from "@/lib/testing/sse-follow";

let gate = newGate();
/** The held reply of the test before (ended before the next one starts, whatever became of its test). */
let previous: Promise<unknown> = Promise.resolve();
const hold = holdTool(() => gate);
const h = useRouteHarness("share_streams", { CHECKPOINT_INTERVAL_MS: "20" }, { parts: { tools: new ToolRegistry([hold]) } });

const follow = followSse;

/** A shared conversation with one finished exchange; a reply posted to it that waits in `hold` (still generating). */
async function heldReply(before = "Let me check: ", after = TRICKY) {
  gate.open();
  await previous;
  h.fake.reset(); // a stopped reply leaves its second answer queued
  gate = newGate();
  const owner = await newGuest();
  const c = await newConversation(owner, "Shared live");
  const token = (await (await call(share.POST, "POST", "/", { cookie: owner, params: { id: c.id } })).json()).share.token as string;
  h.fake.enqueue({ text: "first answer" });
  const first = (await (await post(owner, c.id, { content: "first", stream: false })).json()) as { userMessage: Message; assistantMessage: Message };
  h.fake.enqueue({ text: before, chunk: 1, tool: { id: `toolu_${randomUUID().slice(0, 8)}`, name: "hold", input: {} } }, { text: after, chunk: [1, 3, 2] });
  const ownerStream = follow(await post(owner, c.id, { content: "second" }));
  previous = ownerStream.ended.catch(() => {});
  const replyId = ((await ownerStream.next((f) => f.event === "snapshot")).data.message as Message).id;
  await gate.reached;
  return { owner, cid: c.id, token, first, ownerStream, replyId, final: before + after };
}

const savedReply = (id: string) => h.db.prisma.message.findUniqueOrThrow({ where: { id } });
const ids = (frames: SseFrame[]) => frames.map((f) => f.id!);
const increasing = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]);
function expectViewerMessage(m: Message) {
  expect(m.conversationId).toBe("shared");
  expect(m.parentId ?? null).toBeNull();
  expect(m.versions).toBeUndefined();
  expect(Object.keys(m.metadata).every((k) => k === "model" || k === "stopReason")).toBe(true);
}

describe("a viewer's reply stream", () => {
  it("follows a live reply byte-exact with increasing ids, sanitized, and resumes by Last-Event-ID (over ?after=)", async () => {
    const { cid, token, ownerStream, replyId, final } = await heldReply();
    // The text before the tool call is saved (a checkpoint) while the reply waits.
    for (let row = await savedReply(replyId); row.content === ""; row = await savedReply(replyId)) await new Promise((r) => setTimeout(r, 10));
    const shown = await (await view(token)).json();
    const live = shown.messages.at(-1) as Message;
    expect([live.id, live.status, live.content]).toEqual([replyId, "streaming", "Let me check: "]);
    expect(shown.resumeAfter).toBe((await savedReply(replyId)).seq);
    const fromSnapshot = follow(await viewStream(token, replyId));
    await fromSnapshot.next((f) => f.event === "snapshot");
    const fromResume = follow(await viewStream(token, replyId, {}, `?after=${shown.resumeAfter}`));
    const fromStart = follow(await viewStream(token, replyId, {}, "?after=0"));
    await fromStart.next((f) => f.event === "part_start" && f.data.part.type === "tool_use");
    gate.open();
    const [owned, a, b, c] = await Promise.all([ownerStream.ended, fromSnapshot.ended, fromResume.ended, fromStart.ended]);

    const row = await savedReply(replyId);
    expect([row.status, row.content]).toEqual(["complete", final]);
    expect(rebuildText(a)).toBe(final);
    expect(live.content + rebuildText(b)).toBe(final);
    expect(rebuildText(c)).toBe(final);
    for (const frames of [a, b, c]) {
      expect(increasing(ids(frames))).toBe(true);
      expect(frames.at(-1)!.event).toBe("done");
      for (const f of frames.filter((x) => x.event === "snapshot" || x.event === "done")) expectViewerMessage(f.data.message);
    }
    // The same events as the owner's, but for the messages in them.
    const same = (f: SseFrame) => f.event !== "snapshot" && f.event !== "done";
    expect(c.filter(same)).toEqual(owned.filter((f) => same(f) && f.id! > 0));
    const done = c.at(-1)!.data.message as Message;
    const ownDone = owned.at(-1)!.data.message as Message;
    expect(ownDone.metadata.usage).toBeDefined();
    expect(done).toEqual({ ...ownDone, conversationId: "shared", parentId: null, metadata: { model: ownDone.metadata.model, stopReason: "end_turn" } });
    for (const f of [fromSnapshot, fromResume, fromStart]) {
      expect(f.raw()).not.toContain(cid);
      expect(f.raw()).not.toMatch(/usage|cost|durationMs|firstTokenMs/);
    }

    // Resuming after the end: exactly the rest; Last-Event-ID wins over ?after=.
    const k = c[Math.floor(c.length / 2)].id!;
    const rest = c.filter((f) => f.id! > k);
    expect(await readSse(await viewStream(token, replyId, { "last-event-id": String(k) }))).toEqual(rest);
    expect(await readSse(await viewStream(token, replyId, { "last-event-id": String(k) }, "?after=0"))).toEqual(rest);
    expect(await readSse(await viewStream(token, replyId, {}, `?after=${k}`))).toEqual(rest);
  });

  it("a numbered snapshot in the live log (a Continue whose saved text was trimmed) reaches a viewer as a viewer sees it", async () => {
    gate.open();
    await previous;
    h.fake.reset();
    const owner = await newGuest();
    const c = await newConversation(owner, "Shared, continued");
    const token = (await (await call(share.POST, "POST", "/", { cookie: owner, params: { id: c.id } })).json()).share.token as string;
    // Stalls after "Partial " (trailing space): Stop leaves it interrupted with the space, and usage in its metadata.
    h.fake.enqueue({ text: "Partial answer", chunk: 1, end: "stall", failAfter: 8, times: 1 });
    const owned = follow(await post(owner, c.id, { content: "go" }));
    const replyId = ((await owned.next((f) => f.event === "snapshot")).data.message as Message).id;
    while ((await savedReply(replyId)).content !== "Partial ") await new Promise((r) => setTimeout(r, 10));
    await call(stop.POST, "POST", "/", { cookie: owner, params: { id: replyId } });
    await owned.ended;
    const seq = (await savedReply(replyId)).seq;
    h.fake.enqueue({ text: " and the rest." });
    const resumed = follow(await call(cont.POST, "POST", "/", { cookie: owner, params: { id: replyId } }));
    const viewer = follow(await viewStream(token, replyId, {}, `?after=${seq}`));
    const [own, seen] = await Promise.all([resumed.ended, viewer.ended]);
    // Prefill trims the saved text: a numbered snapshot announces it, to the owner whole and to the viewer presented.
    const ownSnapshot = own.find((f) => f.event === "snapshot" && f.id! > seq)!;
    expect(ownSnapshot.data.message).toMatchObject({ content: "Partial", metadata: { usage: expect.any(Object) } });
    const seenSnapshot = seen.find((f) => f.event === "snapshot" && f.id === ownSnapshot.id)!;
    expectViewerMessage(seenSnapshot.data.message);
    expect(seenSnapshot.data.message.content).toBe("Partial");
    expect(viewer.raw()).not.toMatch(/usage|cost|durationMs|firstTokenMs/);
    expect(viewer.raw()).not.toContain(c.id);
  });

  it("serves a finished message from the database as a viewer sees it", async () => {
    const { token, first, ownerStream } = await heldReply();
    gate.open();
    await ownerStream.ended;
    const frames = await readSse(await viewStream(token, first.userMessage.id));
    expect(frames.map((f) => f.event)).toEqual(["snapshot", "done"]);
    for (const f of frames) {
      expectViewerMessage(f.data.message);
      expect(f.data.message.content).toBe("first");
    }
  });

  it("opens only messages on the shared conversation's current path: 404 for the rest", async () => {
    const { owner, cid, token, first, ownerStream, replyId } = await heldReply();
    gate.open();
    await ownerStream.ended;
    h.fake.enqueue({ text: "version two" });
    await call(regenerate.POST, "POST", "/", { cookie: owner, params: { id: replyId }, body: { stream: false } });
    const elsewhere = await newConversation(owner);
    h.fake.enqueue({ text: "elsewhere" });
    const theirs = (await (await post(owner, elsewhere.id, { content: "other", stream: false })).json()).assistantMessage.id;
    for (const id of [replyId, theirs, cid, randomUUID(), "not-a-uuid", `${first.assistantMessage.id}x`]) {
      await expectError(await viewStream(token, id), 404, "not_found");
    }
    expect((await viewStream(token, first.assistantMessage.id)).status).toBe(200);
  });
});

describe("ending a share", () => {
  it("revoking ends open viewers at once while the reply goes on; the event stream says `revoked`; a new link is a new token", async () => {
    const { owner, cid, token, ownerStream, replyId, final } = await heldReply();
    const viewer = follow(await viewStream(token, replyId));
    await viewer.next((f) => f.event === "snapshot");
    const events = follow(await viewEvents(token));
    await events.next((f) => f.event === "changed");
    expect((await call(share.DELETE, "DELETE", "/", { cookie: owner, params: { id: cid } })).status).toBe(204);
    await viewer.ended;
    expect(viewer.frames.map((f) => f.event)).toEqual(["snapshot"]);
    expect((await savedReply(replyId)).status).toBe("streaming");
    expect((await events.ended).map((f) => f.event)).toEqual(["changed", "revoked"]);
    await expectError(await view(token), 404, "not_found");
    await expectError(await viewStream(token, replyId), 404, "not_found");
    await expectError(await viewEvents(token), 404, "not_found");

    gate.open(); // the owner's reply was never touched
    expect((await ownerStream.ended).at(-1)!.data.message).toMatchObject({ status: "complete", content: final });
    const again = (await (await call(share.POST, "POST", "/", { cookie: owner, params: { id: cid } })).json()).share.token;
    expect(again).not.toBe(token);
    expect((await (await view(again)).json()).messages.at(-1).content).toBe(final);
    await expectError(await view(token), 404, "not_found");
  });

  it("deleting the conversation ends open viewers and says `revoked`", async () => {
    const { owner, cid, token, replyId } = await heldReply();
    const viewer = follow(await viewStream(token, replyId));
    await viewer.next((f) => f.event === "snapshot");
    const events = follow(await viewEvents(token));
    await events.next((f) => f.event === "changed");
    expect((await call(conversation.DELETE, "DELETE", "/", { cookie: owner, params: { id: cid } })).status).toBe(204);
    for (const f of await viewer.ended) if (f.data.message) expectViewerMessage(f.data.message);
    expect((await events.ended).at(-1)!.event).toBe("revoked");
    await expectError(await view(token), 404, "not_found");
  });

  it("a revocation between the token check and the watch still ends the viewer (checked again once watching)", async () => {
    const { owner, cid, token, ownerStream, replyId } = await heldReply();
    const inner = new MemoryUserEventBus();
    let revokeOnSubscribe = false;
    // The owner revokes right as a viewer's request starts watching: after its first token check.
    const events = Object.assign(Object.create(inner) as MemoryUserEventBus, {
      publish: inner.publish.bind(inner),
      async subscribe(...args: Parameters<MemoryUserEventBus["subscribe"]>) {
        if (revokeOnSubscribe) {
          revokeOnSubscribe = false;
          await call(share.DELETE, "DELETE", "/", { cookie: owner, params: { id: cid } });
        }
        return inner.subscribe(...args);
      },
    });
    const restore = h.reconfigure({}, { events, tools: new ToolRegistry([hold]) });
    try {
      revokeOnSubscribe = true;
      await expectError(await viewStream(token, replyId), 404, "not_found");
      const again = (await (await call(share.POST, "POST", "/", { cookie: owner, params: { id: cid } })).json()).share.token;
      revokeOnSubscribe = true;
      expect((await follow(await viewEvents(again)).ended).map((f) => f.event)).toEqual(["revoked"]);
    } finally {
      await restore();
      gate.open();
      await ownerStream.ended;
    }
  });

  it("a revocation whose event is lost (no publish) still ends open viewers at their next token check, one keep-alive later", async () => {
    const restore = h.reconfigure({ CHECKPOINT_INTERVAL_MS: "20", SSE_KEEPALIVE_MS: "50" }, { tools: new ToolRegistry([hold]) });
    const { token, ownerStream, replyId } = await heldReply();
    try {
      const viewer = follow(await viewStream(token, replyId));
      await viewer.next((f) => f.event === "snapshot");
      const events = follow(await viewEvents(token));
      await events.next((f) => f.event === "changed");
      // Revoked behind the bus's back: the row goes, no event is published.
      expect((await h.db.prisma.shareLink.deleteMany({ where: { token } })).count).toBe(1);
      expect((await viewer.ended).map((f) => f.event)).toEqual(["snapshot"]);
      expect((await events.ended).map((f) => f.event)).toEqual(["changed", "revoked"]);
      expect((await savedReply(replyId)).status).toBe("streaming");
    } finally {
      gate.open();
      await ownerStream.ended;
      await restore();
    }
  });
});

describe("a failed reply", () => {
  it("shows a viewer its code, never the owner's message (it can name the deployment): live in `error` and `done`, in GET and from the database", async () => {
    gate.open();
    await previous;
    h.fake.reset();
    gate = newGate();
    const owner = await newGuest();
    const c = await newConversation(owner, "Shared failure");
    const token = (await (await call(share.POST, "POST", "/", { cookie: owner, params: { id: c.id } })).json()).share.token as string;
    const SECRET = "workspace wrk_s3cret may not use this model";
    h.fake.enqueue({ text: "Let me check: ", chunk: 1, tool: { id: "toolu_failing", name: "hold", input: {} } }, { status: 403, errorMessage: SECRET });
    const ownerStream = follow(await post(owner, c.id, { content: "go" }));
    previous = ownerStream.ended.catch(() => {});
    const replyId = ((await ownerStream.next((f) => f.event === "snapshot")).data.message as Message).id;
    await gate.reached;
    const viewer = follow(await viewStream(token, replyId));
    await viewer.next((f) => f.event === "snapshot");
    gate.open();

    const owners = await ownerStream.ended;
    expect(owners.at(-1)!.data.message).toMatchObject({ status: "failed", error: { code: "upstream_forbidden", message: expect.stringContaining(SECRET) } });
    const shown = { code: "upstream_forbidden", message: "The reply could not be completed." };
    const live = await viewer.ended;
    expect(live.find((f) => f.event === "error")!.data).toEqual(shown);
    expect(live.at(-1)!.data.message).toMatchObject({ status: "failed", error: shown });
    const saved = await (await view(token)).json();
    expect(saved.messages.at(-1)).toMatchObject({ status: "failed", error: shown });
    const again = await follow(await viewStream(token, replyId)).ended;
    for (const body of [JSON.stringify(live), JSON.stringify(saved), JSON.stringify(again)]) expect(body).not.toContain("wrk_s3cret");
    expect(again.at(-1)!.data.message).toMatchObject({ status: "failed", error: shown });
  });
});

describe("the viewer's event stream", () => {
  it("says `changed` at its start and for each change of the shared conversation only; never an id nor the owner's data", async () => {
    const { owner, cid, token, ownerStream } = await heldReply();
    gate.open();
    await ownerStream.ended;
    const other = await newConversation(owner, "Not shared");
    const tab = await followEvents(owner);
    const events = follow(await viewEvents(token));
    await events.next((f) => f.event === "changed");
    // Another conversation of the owner: nothing.
    h.fake.enqueue({ text: "elsewhere" });
    await post(owner, other.id, { content: "elsewhere", stream: false });
    await call(conversation.PATCH, "PATCH", "/", { cookie: owner, params: { id: other.id }, body: { title: "Renamed elsewhere" } });
    // The shared one: a message (created, reply started, reply ended), then a new title.
    h.fake.enqueue({ text: "third answer" });
    const third = (await (await post(owner, cid, { content: "third", stream: false })).json()).assistantMessage.id;
    await tab.next((f) => f.event === "reply.ended" && f.data.messageId === third);
    await call(conversation.PATCH, "PATCH", "/", { cookie: owner, params: { id: cid }, body: { title: "Renamed" } });
    await call(share.DELETE, "DELETE", "/", { cookie: owner, params: { id: cid } });
    tab.close();
    expect((await events.ended).map((f) => f.event)).toEqual(["changed", "changed", "changed", "changed", "changed", "revoked"]);
    expect(events.frames.every((f) => f.id === null && JSON.stringify(f.data) === "{}")).toBe(true);
    expect(events.raw()).not.toMatch(/^id:/m);
    expect(events.raw()).toBe("event: changed\ndata: {}\n\n".repeat(5) + "event: revoked\ndata: {}\n\n");
  });
});
