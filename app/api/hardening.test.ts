// Abuse limits and web-security guarantees through the real routes (in-memory
// PGlite, the real SDK against the fake Anthropic server): the per-user
// message rate limit, error answers that never carry internals, and SSE
// frames that text cannot forge, wherever the text sits.
import { describe, expect, it, vi } from "vitest";
import { call, readSse } from "@/lib/testing/route-client";
import { guestWithConversation, useRouteHarness } from "@/lib/testing/route-harness";
import * as conversations from "@/app/api/conversations/route";
import * as conversation from "@/app/api/conversations/[id]/route";
import * as messages from "@/app/api/conversations/[id]/messages/route";
import * as cont from "@/app/api/messages/[id]/continue/route";

const LIMIT = 4;

const h = useRouteHarness("hardening", { MESSAGE_RATE_LIMIT: String(LIMIT), MESSAGE_RATE_WINDOW_S: "60" });

const setup = guestWithConversation;

const post = (cookie: string, cid: string, body: unknown) => call(messages.POST, "POST", "/", { cookie, params: { id: cid }, body });

describe("per-user message rate limit", () => {
  it("refuses posts and Continue past the limit with 429 rate_limited and Retry-After; others are unaffected", async () => {
    const { cookie, cid } = await setup();
    h.fake.enqueue({ text: "one" }, { text: "two" }, { text: "three", end: "error", failAfter: 2 });
    const replies = [];
    for (const text of ["a", "b", "c"]) {
      const res = await post(cookie, cid, { content: text, stream: false });
      expect(res.status).toBe(200);
      replies.push((await res.json()).assistantMessage);
    }
    expect(replies[2].status).toBe("failed");
    h.fake.enqueue({ text: "three, finished" });
    const continued = await call(cont.POST, "POST", "/", { cookie, params: { id: replies[2].id }, body: { stream: false } });
    expect(continued.status).toBe(200); // the 4th generation this window
    const before = h.fake.requests.length;

    const limited = await post(cookie, cid, { content: "one too many", stream: false });
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({ error: { code: "rate_limited", message: expect.stringMatching(/at most 4 per 60 s/) } });
    const retry = Number(limited.headers.get("retry-after"));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(60);
    const again = await call(cont.POST, "POST", "/", { cookie, params: { id: replies[2].id }, body: {} });
    expect(again.status).toBe(429);
    expect((await again.json()).error.code).toBe("rate_limited");
    // Refused before anything was written or asked upstream.
    expect(h.fake.requests.length).toBe(before);
    const got = await (await call(conversation.GET, "GET", "/", { cookie, params: { id: cid } })).json();
    expect(got.messages).toHaveLength(6);

    const other = await setup();
    h.fake.enqueue({ text: "someone else" });
    expect((await post(other.cookie, other.cid, { content: "hi", stream: false })).status).toBe(200);
  });
});

describe("error answers never carry internals", () => {
  it("a real database error (a missing table) becomes a generic 500", async () => {
    const { cookie } = await setup();
    const quiet = vi.spyOn(console, "error").mockImplementation(() => {});
    await h.db.prisma.$executeRawUnsafe(`ALTER TABLE "Conversation" RENAME TO "Conversation_hidden"`);
    let res: Response;
    try {
      res = await call(conversations.GET, "GET", "/", { cookie });
    } finally {
      await h.db.prisma.$executeRawUnsafe(`ALTER TABLE "Conversation_hidden" RENAME TO "Conversation"`);
      quiet.mockRestore();
    }
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: { code: "internal", message: "Something went wrong on our side." } });
    expect(text).not.toMatch(/Conversation|table|prisma|\bat \w|\/work\/|\.ts:/i);
    // And the app works again once the database does.
    expect((await call(conversations.GET, "GET", "/", { cookie })).status).toBe(200);
  });

  it("bad input is explained without echoing parser or stack internals", async () => {
    const { cookie, cid } = await setup();
    for (const rawBody of ['{"content": "x"', "\u0000\u0001", '{"content": {"__proto__": {"x": 1}}}']) {
      const res = await call(messages.POST, "POST", "/", { cookie, params: { id: cid }, rawBody });
      expect(res.status).toBe(400);
      const text = await res.text();
      expect(text).not.toMatch(/SyntaxError|at JSON\.parse|position \d+|\bat \w+ \(|node_modules|\/work\//);
    }
  });
});

describe("SSE frames cannot be forged by text", () => {
  const HOSTILE = '\n\ndata: x\n\nid: 9\nevent: done\r\n\r\ndata: {"message":{}}\r: c\rretry: 1\n\n';

  it("hostile user content, thinking, text and upstream error text stay inside their data lines", async () => {
    const { cookie, cid } = await setup();
    const content = `question ${HOSTILE} end`;
    const thinking = `thinking ${HOSTILE} 🤔`;
    const text = `answer ${HOSTILE} ✓`;
    h.fake.enqueue({ thinking, text, end: "error", errorMessage: `upstream says ${HOSTILE}`, errorType: "api_error", chunk: [1, 5, 2] });
    const res = await post(cookie, cid, { content, stream: true });
    const raw = await res.text();
    // Every line is one of our field lines (or the blank line ending a frame).
    const lines = raw.split("\n");
    for (const line of lines) expect(line).toMatch(/^(id: \d+|event: [a-z_]+|data: \{.*\}|: keep-alive|)$/);
    expect(raw).not.toMatch(/\r/);
    const frames = await readSse(new Response(raw));
    expect(lines.filter((l) => l.startsWith("event: "))).toHaveLength(frames.length);
    expect(frames.filter((f) => f.event === "done")).toHaveLength(1);
    expect(frames.at(-1)!.event).toBe("done");
    expect(frames.slice(1).map((f) => f.id)).toEqual(frames.slice(1).map((_, i) => i + 1));

    expect(frames[0].data.userMessage.content).toBe(content);
    const done = frames.at(-1)!.data.message;
    expect(done.parts[0]).toMatchObject({ type: "thinking", thinking });
    expect(done.content).toBe(text);
    expect(done.status).toBe("failed");
    expect(done.error.code).toBe("upstream_error");
    // Thinking and text rebuilt from the deltas equal what was sent.
    const deltas = (i: number) =>
      frames
        .filter((f) => f.event === "delta" && f.data.index === i)
        .map((f) => f.data.text)
        .join("");
    expect(deltas(0)).toBe(thinking);
    expect(deltas(1)).toBe(text);
  });
});
