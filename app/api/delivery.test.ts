// How a reply reaches the client through the real routes (docs/PROTOCOL.md
// §4, §5): keep-alive comments on an idle stream at the configured
// SSE_KEEPALIVE_MS, and a reply that cannot be handed to the job runner ends
// `failed` instead of leaving its streams waiting. In-memory PGlite, the real
// SDK against the fake Anthropic server.
import { afterEach, describe, expect, it, vi } from "vitest";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { call, readSse } from "@/lib/testing/route-client";
import { newConversation, newGuest, post } from "@/lib/testing/api-steps";
import * as stop from "@/app/api/messages/[id]/stop/route";
import * as stream from "@/app/api/messages/[id]/stream/route";
import * as message from "@/app/api/messages/[id]/route";

const h = useRouteHarness("delivery");

afterEach(() => {
  vi.useRealTimers();
});

/** Yields to real I/O a few times (setImmediate is never faked here). */
const settle = async (turns = 20) => {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
};

/** Posts a reply that streams its first words and then stalls; returns its id. */
async function stalledReply(cookie: string): Promise<string> {
  const c = await newConversation(cookie);
  h.fake.enqueue({ text: "first words, then silence", end: "stall", failAfter: 11, chunk: 11 });
  const res = await post(cookie, c.id, { content: "be slow" });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("first words")) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`stream ended early: ${seen}`);
    seen += value;
  }
  await reader.cancel(); // the client leaves; the generation goes on (stalled)
  return /"message":\{"id":"([0-9a-f-]{36})"/.exec(seen)![1];
}

/**
 * Opens the stream route for `id` with only setInterval faked, reads the
 * start, then advances fake time: returns the text read after `beforeMs`
 * (just short of the interval) and after `atMs`.
 */
async function keepAlivesAt(cookie: string, id: string, beforeMs: number, atMs: number) {
  vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
  const ctrl = new AbortController();
  const res = await call(stream.GET, "GET", "/", { cookie, params: { id }, signal: ctrl.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  // Everything available now, without waiting for more (a read still
  // pending when the race ends is kept for the next drain).
  let pending: ReturnType<typeof reader.read> | null = null;
  const drain = async () => {
    let got = "";
    for (;;) {
      pending ??= reader.read();
      const next = await Promise.race([pending, settle().then(() => null)]);
      if (next === null) return got;
      pending = null;
      if (next.done) throw new Error("stream ended");
      got += next.value;
    }
  };
  let text = "";
  while (!text.includes("first words")) text += (await reader.read()).value ?? "";
  text += await drain();
  expect(text).not.toContain(": keep-alive");
  vi.advanceTimersByTime(beforeMs);
  const before = await drain();
  vi.advanceTimersByTime(atMs - beforeMs);
  const at = await drain();
  ctrl.abort();
  await reader.cancel().catch(() => {});
  vi.useRealTimers();
  return { before, at };
}

describe("keep-alive", () => {
  it("comments on an idle stream every SSE_KEEPALIVE_MS: by default within 15 s", async () => {
    const cookie = await newGuest();
    const id = await stalledReply(cookie);
    const { before, at } = await keepAlivesAt(cookie, id, 14_999, 15_000);
    expect(before).toBe("");
    expect(at).toBe(": keep-alive\n\n");
    expect((await call(stop.POST, "POST", "/", { cookie, params: { id } })).status).toBe(200);
  });

  it("uses the configured SSE_KEEPALIVE_MS in the stream route", async () => {
    const restore = h.reconfigure({ SSE_KEEPALIVE_MS: "7000" });
    try {
      const cookie = await newGuest();
      const id = await stalledReply(cookie);
      const { before, at } = await keepAlivesAt(cookie, id, 6_999, 7_000);
      expect(before).toBe("");
      expect(at).toBe(": keep-alive\n\n");
      expect((await call(stop.POST, "POST", "/", { cookie, params: { id } })).status).toBe(200);
    } finally {
      await restore();
    }
  });
});

describe("a reply the job runner refuses", () => {
  it("ends failed: the streaming POST gets done with status failed, and the row is failed", async () => {
    const restore = h.reconfigure(
      {},
      {
        jobs: {
          kind: "in-process",
          startGeneration: async () => {
            throw new Error("job runner unreachable");
          },
          persist: async () => {},
          requestTitle: async () => {},
        },
      },
    );
    try {
      const cookie = await newGuest();
      const c = await newConversation(cookie);
      const requests = h.fake.requests.length;
      // Bounded by the test's timeout: without the failure, this stream would never end.
      const frames = await readSse(await post(cookie, c.id, { content: "nobody will answer" }));
      expect(frames[0]).toMatchObject({ id: 0, event: "snapshot" });
      const done = frames[frames.length - 1];
      expect(done.event).toBe("done");
      expect(done.data.message.status).toBe("failed");
      expect(done.data.message.error.code).toBe("internal");
      expect(done.id).toBeGreaterThan(0);
      const row = await (await call(message.GET, "GET", "/", { cookie, params: { id: done.data.message.id } })).json();
      expect(row.status).toBe("failed");
      expect(row.error.code).toBe("internal");
      expect(h.fake.requests.length).toBe(requests);
      // A non-streaming post is answered with the failed reply too.
      const c2 = await newConversation(cookie);
      const answer = await (await post(cookie, c2.id, { content: "nor to this", stream: false })).json();
      expect(answer.assistantMessage.status).toBe("failed");
    } finally {
      await restore();
    }
  });
});
