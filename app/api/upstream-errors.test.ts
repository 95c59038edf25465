// Upstream failures become clear, stable errors on the failed message: each
// HTTP status the Anthropic API can answer, through the real SDK against the
// fake server, the real routes and an in-memory PGlite.
import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import type { Scenario } from "@/lib/testing/fake-anthropic";
import { call, cookieFrom, readSse } from "@/lib/testing/route-client";
import { useRouteHarness } from "@/lib/testing/route-harness";
import * as guest from "@/app/api/auth/guest/route";
import * as conversations from "@/app/api/conversations/route";
import * as messages from "@/app/api/conversations/[id]/messages/route";

const MODEL = "claude-haiku-4-5";

const h = useRouteHarness("upstream");

async function failedReply(...scenarios: Scenario[]) {
  const cookie = cookieFrom(await call(guest.POST, "POST", "/api/auth/guest"));
  const conv = await (await call(conversations.POST, "POST", "/", { cookie, body: {} })).json();
  h.fake.enqueue(...scenarios);
  const before = h.fake.requests.length;
  const frames = await readSse(await call(messages.POST, "POST", "/", { cookie, params: { id: conv.id }, body: { content: `fail ${randomUUID()}` } }));
  const done = frames[frames.length - 1];
  expect(done.event).toBe("done");
  const row = await h.db.prisma.message.findUniqueOrThrow({ where: { id: done.data.message.id } });
  return { frames, message: done.data.message, row, requests: h.fake.requests.length - before };
}

describe("upstream HTTP errors → the failed message's error", () => {
  it.each([
    [400, "upstream_bad_request", /rejected the request \(400\): messages: invalid request/, 1],
    [401, "upstream_auth", /API key is invalid or revoked \(401\)\. Check ANTHROPIC_API_KEY/, 1],
    [403, "upstream_forbidden", /not allowed to do this \(403\)/, 1],
    [404, "upstream_not_found", new RegExp(`model "${MODEL}" was not found \\(404\\)\\. Check ANTHROPIC_MODEL`), 1],
    [413, "upstream_too_large", /too large for the Anthropic API \(413\)/, 1],
    [429, "upstream_rate_limited", /rate limit was reached \(429\)/, 3],
    [500, "upstream_error", /internal error \(500\)/, 3],
    [503, "upstream_error", /internal error \(503\)/, 3],
    [529, "upstream_overloaded", /overloaded right now \(529\)/, 3],
  ] as const)("HTTP %i → %s", async (status, code, message, attempts) => {
    // One queued failure per attempt the SDK makes.
    const { frames, message: done, row, requests } = await failedReply(...Array.from({ length: attempts }, () => ({ status })));
    // Client errors are final at once; transient ones were retried first (the SDK's 2 retries).
    expect(requests).toBe(attempts);
    expect(done.status).toBe("failed");
    expect(done.error.code).toBe(code);
    expect(done.error.message).toMatch(message);
    expect(frames.find((f) => f.event === "error")?.data).toEqual(done.error);
    expect(row.status).toBe("failed");
    expect(row.error).toEqual(done.error);
  });

  it("keeps the API's own explanation for a 400, on one bounded line", async () => {
    const why = `max_tokens: 999999 > 64000, the maximum for ${MODEL}\n\n${"x".repeat(1000)}`;
    const { message } = await failedReply({ status: 400, errorMessage: why });
    expect(message.error.code).toBe("upstream_bad_request");
    expect(message.error.message).toContain(`max_tokens: 999999 > 64000, the maximum for ${MODEL} x`);
    expect(message.error.message).not.toContain("\n");
    expect(message.error.message.length).toBeLessThan(400);
  });

  it.each([
    ["overloaded_error", "upstream_overloaded"],
    ["rate_limit_error", "upstream_rate_limited"],
    ["api_error", "upstream_error"],
  ] as const)("a mid-stream %s event after text → %s, text kept", async (errorType, code) => {
    const { message } = await failedReply({ text: "partial ✂️ text", end: "error", errorType, failAfter: 7, chunk: 1 });
    expect(message).toMatchObject({ status: "failed", content: "partial", error: { code } });
    expect(message.error.message).toMatch(/try again/i);
  });

  it("a NUL in model text (PostgreSQL cannot store it) is saved as U+FFFD, not a reply whose saves all fail", async () => {
    const cookie = cookieFrom(await call(guest.POST, "POST", "/api/auth/guest"));
    const conv = await (await call(conversations.POST, "POST", "/", { cookie, body: {} })).json();
    h.fake.enqueue({ text: "a\u0000b ✓", chunk: 1 });
    const frames = await readSse(await call(messages.POST, "POST", "/", { cookie, params: { id: conv.id }, body: { content: "nul" } }));
    const done = frames.at(-1)!.data.message;
    expect(done).toMatchObject({ status: "complete", content: "a\uFFFDb ✓" });
    const row = await h.db.prisma.message.findUniqueOrThrow({ where: { id: done.id } });
    expect([row.status, row.content]).toEqual(["complete", "a\uFFFDb ✓"]);
  });

  it("a refused connection says so without local addresses", async () => {
    const restore = h.reconfigure({ ANTHROPIC_BASE_URL: "http://127.0.0.1:1" }); // nothing listens on port 1
    try {
      const { message } = await failedReply({ text: "never sent" });
      expect(message.error.code).toBe("upstream_connection");
      expect(message.error.message).toMatch(/Could not reach the Anthropic API/);
      expect(message.error.message).not.toMatch(/127\.0\.0\.1|:1\b/);
    } finally {
      await restore();
      h.fake.reset();
    }
  });
});
