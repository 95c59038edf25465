// Replies through the real routes (docs/PROTOCOL.md §3–§5): saved and
// streamed posts byte-exact, replay after an id, the generation limits, Stop,
// and upstream failures. In-memory PGlite, the real Anthropic SDK against the
// fake server.
import { describe, expect, it } from "vitest";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { call, readSse, rebuildText } from "@/lib/testing/route-client";
import { expectError, newConversation, newGuest, post, TRICKY } from "@/lib/testing/api-steps";
import * as conversation from "@/app/api/conversations/[id]/route";
import * as message from "@/app/api/messages/[id]/route";
import * as stop from "@/app/api/messages/[id]/stop/route";
import * as stream from "@/app/api/messages/[id]/stream/route";

const h = useRouteHarness("replies", { ANTHROPIC_MODEL: "claude-sonnet-5-5" });

describe("replies", () => {
  it("answers a non-streaming post with the saved reply, byte-exact", async () => {
    const cookie = await newGuest();
    const c = await newConversation(cookie);
    h.fake.enqueue({ text: TRICKY, chunk: [1, 3, 2, 7] });
    const res = await post(cookie, c.id, { content: "say something tricky", stream: false });
    expect(res.status).toBe(200);
    const { userMessage, assistantMessage } = await res.json();
    expect(userMessage).toMatchObject({ role: "user", content: "say something tricky", status: "complete", conversationId: c.id });
    expect(assistantMessage).toMatchObject({ role: "assistant", status: "complete", content: TRICKY });
    expect(assistantMessage.parts).toEqual([{ type: "text", text: TRICKY }]);
    const md = assistantMessage.metadata;
    expect(md.model).toBeTruthy();
    expect(md.stopReason).toBe("end_turn");
    expect(md.usage.outputTokens).toBeGreaterThan(0);
    expect(md.firstTokenMs).toBeGreaterThanOrEqual(0);
    expect(md.durationMs).toBeGreaterThanOrEqual(md.firstTokenMs);
    const stored = await (await call(message.GET, "GET", "/", { cookie, params: { id: assistantMessage.id } })).json();
    expect(stored.content).toBe(TRICKY);
    const conv = await (await call(conversation.GET, "GET", "/", { cookie, params: { id: c.id } })).json();
    expect(conv.messages.map((m: { id: string }) => m.id)).toEqual([userMessage.id, assistantMessage.id]);
    expect(conv.conversation.title).toBe("say something tricky");
  });

  it("streams a post as SSE: snapshot, consecutive ids, exact text, done", async () => {
    const cookie = await newGuest();
    const c = await newConversation(cookie);
    h.fake.enqueue({ text: TRICKY, chunk: [2, 1, 5] });
    const res = await post(cookie, c.id, { content: "stream it" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const frames = await readSse(res);
    expect(frames[0]).toMatchObject({ id: 0, event: "snapshot" });
    expect(frames[0].data.userMessage.content).toBe("stream it");
    const ids = frames.slice(1).map((f) => f.id);
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    const last = frames[frames.length - 1];
    expect(last.event).toBe("done");
    expect(last.data.message.status).toBe("complete");
    expect(frames.filter((f) => f.event === "status").map((f) => f.data.status)).toEqual(["streaming", "complete"]);
    expect(rebuildText(frames)).toBe(TRICKY);
    expect(last.data.message.content).toBe(TRICKY);
    const stored = await (await call(message.GET, "GET", "/", { cookie, params: { id: last.data.message.id } })).json();
    expect(stored.content).toBe(TRICKY);

    // A finished message streams as its snapshot and done, both with the final id.
    const again = await readSse(await call(stream.GET, "GET", "/", { cookie, params: { id: stored.id } }));
    expect(again.map((f) => [f.event, f.id])).toEqual([
      ["snapshot", last.id],
      ["done", last.id],
    ]);
  });

  it("replays exactly the events after N, then the end", async () => {
    const cookie = await newGuest();
    const c = await newConversation(cookie);
    h.fake.enqueue({ text: "abcdefghij-" + TRICKY, chunk: 1 });
    const frames = await readSse(await post(cookie, c.id, { content: "replay" }));
    const mid = frames[0].data.message.id;
    for (const n of [0, 1, 5, frames.length - 3]) {
      const replay = await readSse(await call(stream.GET, "GET", `/?after=${n}`, { cookie, params: { id: mid }, headers: {} }));
      // The same events, ids and contents, as the post streamed them.
      expect(replay).toEqual(frames.filter((f) => f.id! > n));
      const viaHeader = await readSse(await call(stream.GET, "GET", "/", { cookie, params: { id: mid }, headers: { "last-event-id": String(n) } }));
      expect(viaHeader).toEqual(replay);
    }
  });

  it("replays after Last-Event-ID when a request also carries ?after= (the header wins)", async () => {
    const cookie = await newGuest();
    const c = await newConversation(cookie);
    h.fake.enqueue({ text: "abcdefghij-" + TRICKY, chunk: 1 });
    const frames = await readSse(await post(cookie, c.id, { content: "replay with both" }));
    const mid = frames[0].data.message.id;
    const last = frames[frames.length - 1].id!;
    for (const [header, query] of [
      [6, 2],
      [2, 6],
      [0, last - 2],
      [last - 2, 0],
    ]) {
      const both = await readSse(await call(stream.GET, "GET", `/?after=${query}`, { cookie, params: { id: mid }, headers: { "last-event-id": String(header) } }));
      expect(both).toEqual(frames.filter((f) => f.id! > header));
    }
  });

  it("allows one reply per conversation (409) and three per user (429 + Retry-After)", async () => {
    const cookie = await newGuest();
    const convs = await Promise.all([1, 2, 3, 4].map(() => newConversation(cookie)));
    h.fake.enqueue(...[1, 2, 3].map(() => ({ text: "slow reply that stalls", end: "stall" as const, failAfter: 4 })));
    const sent = h.fake.requests.length;
    const ctrl = new AbortController();
    const firsts = await Promise.all(convs.slice(0, 3).map((c) => post(cookie, c.id, { content: "go" }, ctrl.signal)));
    const mids: string[] = [];
    for (const r of firsts) {
      expect(r.status).toBe(200);
      const reader = r.body!.pipeThrough(new TextDecoderStream()).getReader();
      const { value } = await reader.read();
      mids.push(/"message":\{"id":"([0-9a-f-]{36})"/.exec(value!)![1]);
      await reader.cancel(); // the client leaves; the generation goes on
    }
    // The three stalling answers are taken before Stop (else later posts would get them).
    await h.fake.waitForRequests(sent + 3);
    await expectError(await post(cookie, convs[0].id, { content: "again", stream: false }), 409, "generation_in_progress");
    const limited = await post(cookie, convs[3].id, { content: "fourth", stream: false });
    await expectError(limited, 429, "too_many_generations");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // Stop them all: each ends interrupted, and the conversation is free again.
    for (const id of mids) {
      const res = await call(stop.POST, "POST", "/", { cookie, params: { id } });
      expect(res.status).toBe(200);
      expect((await res.json()).status).toBe("interrupted");
    }
    h.fake.enqueue({ text: "free again" });
    const ok = await post(cookie, convs[0].id, { content: "again", stream: false });
    expect((await ok.json()).assistantMessage.content).toBe("free again");
  });

  it("stop answers the waiting non-streaming request with the partial, and is idempotent", async () => {
    const cookie = await newGuest();
    const c = await newConversation(cookie);
    h.fake.enqueue({ text: "partial 部分 then silence", end: "stall", failAfter: 10 });
    const waiting = post(cookie, c.id, { content: "stop me", stream: false });
    const req = await h.fake.waitForRequests(h.fake.requests.length + 1).then((r) => r[r.length - 1]);
    // Find the pending reply and wait until its text has been checkpointed.
    const conv = await (await call(conversation.GET, "GET", "/", { cookie, params: { id: c.id } })).json();
    const mid = conv.messages[1].id;
    // Watch the reply live until its first text arrived, then leave.
    const watch = await call(stream.GET, "GET", "/", { cookie, params: { id: mid } });
    const reader = watch.body!.pipeThrough(new TextDecoderStream()).getReader();
    for (let seen = ""; !seen.includes("部分");) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`stream ended before the text: ${seen}`);
      seen += value;
    }
    await reader.cancel();
    const stopped = await (await call(stop.POST, "POST", "/", { cookie, params: { id: mid } })).json();
    expect(stopped.status).toBe("interrupted");
    const answer = await (await waiting).json();
    expect(answer.assistantMessage.status).toBe("interrupted");
    expect(answer.assistantMessage.content).toBe(stopped.content);
    expect(stopped.content).toBe("partial 部分");
    await req.closed; // upstream request was ended
    expect(req.aborted).toBe(true);
    const again = await (await call(stop.POST, "POST", "/", { cookie, params: { id: mid } })).json();
    expect(again).toEqual(stopped);
  });

  it("ends failed with the partial kept on a mid-stream upstream error", async () => {
    const cookie = await newGuest();
    const c = await newConversation(cookie);
    h.fake.enqueue({ text: "kept text then boom", end: "error", failAfter: 9, chunk: 3 });
    const frames = await readSse(await post(cookie, c.id, { content: "fail please" }));
    const last = frames[frames.length - 1];
    expect(last.event).toBe("done");
    expect(last.data.message.status).toBe("failed");
    expect(last.data.message.content).toBe("kept text");
    expect(last.data.message.error.code).toBe("upstream_overloaded");
    expect(frames.some((f) => f.event === "error")).toBe(true);
    expect(rebuildText(frames)).toBe("kept text");
  });
});
