// Regenerate and edit-and-resend through the reply registry, against a
// stand-in for the server's HTTP answers (fetch stubbed): the reply must
// take the new message's id, never the replaced one still on the path.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { editAndResend, liveReplyFor, regenerateReply, releaseReply, sendMessage, versionHintsOf } from "./reply-registry";
import type { Message } from "../chat/types";

const CONV = "22222222-2222-4222-8222-222222222222";
const ids = {
  u1: "00000000-0000-4000-8000-000000000001",
  a1: "00000000-0000-4000-8000-000000000002",
  a2: "00000000-0000-4000-8000-000000000003",
  u2: "00000000-0000-4000-8000-000000000004",
};

function msg(id: string, role: Message["role"], patch: Partial<Message> = {}): Message {
  return {
    id,
    conversationId: CONV,
    role,
    content: role === "user" ? "question" : "answer",
    parts: [],
    status: "complete",
    metadata: {},
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    ...patch,
  };
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/** The conversation path the server answers with, and POSTs that wait for the test to answer them. */
function server(path: Message[]) {
  const state = { path, posts: [] as { url: string; body: unknown; answer: (r: Response) => void }[] };
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init?: RequestInit) => {
      if (init?.method === "POST") return new Promise<Response>((answer) => state.posts.push({ url, body: JSON.parse(String(init.body ?? "{}")), answer }));
      if (url === `/api/conversations/${CONV}`) return json({ conversation: { id: CONV }, messages: state.path });
      return json({ error: { code: "not_found", message: "no" } }, 404);
    }),
  );
  return state;
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.stubGlobal("window", {});
  vi.stubGlobal("requestAnimationFrame", (fn: () => void) => setTimeout(fn, 0));
  vi.stubGlobal("cancelAnimationFrame", () => {});
});
afterEach(() => {
  const live = liveReplyFor(CONV);
  if (live) releaseReply(live);
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe("regenerateReply (not streamed)", () => {
  it("waits for the new reply instead of taking the old one still on the path", async () => {
    const old = msg(ids.a1, "assistant", { parentId: ids.u1 });
    const srv = server([msg(ids.u1, "user"), old]);
    const { reply, accepted } = regenerateReply({ message: old, streaming: false, baseCount: 1, known: [ids.u1, ids.a1] });
    expect(versionHintsOf(reply)?.assistant).toMatchObject({ index: 1, count: 2 });
    let settled = false;
    void accepted.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(1600); // three discovery rounds see only the old reply
    expect(settled).toBe(false);
    expect(reply.getState().confirmed).toBe(false);
    expect(srv.posts.map((p) => [p.url, p.body])).toEqual([[`/api/messages/${ids.a1}/regenerate`, { stream: false }]]);

    // The server has taken it: the new reply is the path's leaf.
    srv.path = [msg(ids.u1, "user"), msg(ids.a2, "assistant", { status: "streaming", content: "part", parentId: ids.u1 })];
    await vi.advanceTimersByTimeAsync(600);
    expect(settled).toBe(true);
    expect(reply.getState()).toMatchObject({ confirmed: true, messageId: ids.a2, finished: false });
    await vi.advanceTimersByTimeAsync(50);
    expect(reply.getMessage().content).toBe(""); // asked for whole: no partial text meanwhile

    srv.posts[0].answer(json({ assistantMessage: msg(ids.a2, "assistant", { content: "new answer" }) }));
    await vi.advanceTimersByTimeAsync(50);
    expect(reply.getState()).toMatchObject({ finished: true, messageId: ids.a2 });
    expect(reply.getMessage().content).toBe("new answer");
  });

  it("withdraws the reply when the server refuses", async () => {
    const old = msg(ids.a1, "assistant");
    const srv = server([msg(ids.u1, "user"), old]);
    const { reply, accepted } = regenerateReply({ message: old, streaming: false, baseCount: 1, known: [ids.u1, ids.a1] });
    const refused = expect(accepted).rejects.toMatchObject({ status: 409, code: "generation_in_progress" });
    await vi.advanceTimersByTimeAsync(0);
    srv.posts[0].answer(json({ error: { code: "generation_in_progress", message: "busy" } }, 409));
    await refused;
    expect(liveReplyFor(CONV)).toBeUndefined();
    expect(reply.getState().confirmed).toBe(false);
  });
});

describe("editAndResend (not streamed)", () => {
  it("shows the edited text at once, then takes the new branch's ids", async () => {
    const edited = msg(ids.u1, "user", { versions: undefined });
    const srv = server([edited, msg(ids.a1, "assistant")]);
    const { reply, accepted } = editAndResend({ message: edited, content: "better question", streaming: false, baseCount: 0, known: [ids.u1, ids.a1] });
    expect(reply.getState().userMessage?.content).toBe("better question");
    expect(versionHintsOf(reply)?.user).toMatchObject({ index: 1, count: 2 });
    await vi.advanceTimersByTimeAsync(1100);
    expect(reply.getState().confirmed).toBe(false); // the old branch is not ours
    expect(srv.posts[0]).toMatchObject({ url: `/api/messages/${ids.u1}/edit`, body: { content: "better question", stream: false } });

    srv.path = [msg(ids.u2, "user", { content: "better question" }), msg(ids.a2, "assistant", { status: "pending", parentId: ids.u2 })];
    await vi.advanceTimersByTimeAsync(600);
    await accepted;
    expect(reply.getState()).toMatchObject({ confirmed: true, messageId: ids.a2 });
    expect(reply.getState().userMessage?.id).toBe(ids.u2);
  });
});

it("a plain send still discovers the first reply after the earlier messages", async () => {
  const srv = server([msg(ids.u1, "user"), msg(ids.a1, "assistant")]);
  const { reply, accepted } = sendMessage({ conversationId: CONV, content: "next", streaming: false, baseCount: 2 });
  await vi.advanceTimersByTimeAsync(0);
  srv.path = [...srv.path, msg(ids.u2, "user", { content: "next" }), msg(ids.a2, "assistant", { status: "pending" })];
  await vi.advanceTimersByTimeAsync(600);
  await accepted;
  expect(reply.getState()).toMatchObject({ confirmed: true, messageId: ids.a2 });
  expect(versionHintsOf(reply)).toBeUndefined();
});
