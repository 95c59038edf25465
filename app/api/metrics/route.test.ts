// The Prometheus endpoint and the JSON logs, after real replies through the
// routes in scaled mode: PostgreSQL (isolated schema), the Redis bus, and the
// real Anthropic SDK against the fake upstream.
import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { call, cookieFrom, readSse } from "@/lib/testing/route-client";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { captureLogs } from "@/lib/platform/log";
import * as guest from "@/app/api/auth/guest/route";
import * as conversations from "@/app/api/conversations/route";
import * as messages from "@/app/api/conversations/[id]/messages/route";
import * as metricsRoute from "./route";

const TOKEN = `metrics-${randomUUID()}`;
const API_KEY = `sk-ant-secret-${randomUUID()}`;
const SESSION_SECRET = `session-secret-${randomUUID()}`.padEnd(48, "s");
const h = useRouteHarness("metrics", { ANTHROPIC_API_KEY: API_KEY, SESSION_SECRET, METRICS_TOKEN: TOKEN }, { scaled: true });

const scrapeRes = (authorization?: string) => call(metricsRoute.GET, "GET", "/api/metrics", { headers: authorization ? { authorization } : {} });

/** The scrape, as `name{labels}` → value. */
async function scrape(): Promise<Map<string, number>> {
  const res = await scrapeRes(`Bearer ${TOKEN}`);
  expect(res.status).toBe(200);
  const values = new Map<string, number>();
  for (const line of (await res.text()).split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) values.set(m[1], Number(m[2]));
  }
  return values;
}
const v = (s: Map<string, number>, key: string) => s.get(key) ?? 0;

async function chat() {
  const cookie = cookieFrom(await call(guest.POST, "POST", "/api/auth/guest"));
  const conv = await (await call(conversations.POST, "POST", "/api/conversations", { cookie, body: {} })).json();
  const post = (content: string, onFrame?: Parameters<typeof readSse>[1]) =>
    call(messages.POST, "POST", `/api/conversations/${conv.id}/messages`, { cookie, params: { id: conv.id }, body: { content } }).then((r) => readSse(r, onFrame));
  return { cookie, post };
}

describe("GET /api/metrics", () => {
  it("does not exist without METRICS_TOKEN", async () => {
    const restore = h.reconfigure({ METRICS_TOKEN: "" });
    try {
      const res = await scrapeRes(`Bearer ${TOKEN}`);
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe("not_found");
    } finally {
      await restore();
    }
  });

  it.each([undefined, "Bearer", `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, TOKEN])("answers 401 for authorization %j", async (auth) => {
    const res = await scrapeRes(auth);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await res.json()).error.code).toBe("unauthorized");
  });

  it("serves Prometheus text with the default process metrics", async () => {
    const res = await scrapeRes(`bearer  ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const name of [
      "process_cpu_user_seconds_total",
      "process_resident_memory_bytes",
      "nodejs_eventloop_lag_seconds",
      "tether_active_generations",
      "tether_sse_subscribers",
    ]) {
      expect(text).toContain(`\n${name}`);
    }
  });

  it("moves with a real reply: gauges while it streams, histograms and counters once it ended", async () => {
    const { post } = await chat();
    const before = await scrape();
    h.fake.enqueue({ text: `Metered ✓ ${"token ".repeat(60)}`, chunk: 3, delayMs: 2 });
    let during: Promise<Map<string, number>> | undefined;
    const frames = await post("measure me", (f) => {
      if (f.event === "delta" && !during) during = scrape();
    });
    expect(frames.at(-1)?.data.message.status).toBe("complete");
    const live = await during!;
    expect(v(live, "tether_active_generations")).toBeGreaterThanOrEqual(v(before, "tether_active_generations") + 1);
    expect(v(live, "tether_sse_subscribers")).toBeGreaterThanOrEqual(v(before, "tether_sse_subscribers") + 1);

    await expect.poll(async () => v(await scrape(), "tether_active_generations")).toBe(v(before, "tether_active_generations"));
    const after = await scrape();
    const delta = (key: string) => v(after, key) - v(before, key);
    expect(v(after, "tether_sse_subscribers")).toBe(v(before, "tether_sse_subscribers"));
    expect(delta('tether_generations_total{status="complete",provider="anthropic"}')).toBe(1);
    expect(delta('tether_time_to_first_token_seconds_count{provider="anthropic"}')).toBe(1);
    expect(delta('tether_generation_duration_seconds_count{status="complete",provider="anthropic"}')).toBe(1);
    expect(delta("tether_generation_chars_per_second_count")).toBe(1);
    expect(delta("tether_checkpoint_duration_seconds_count")).toBeGreaterThanOrEqual(2); // streaming + final
    expect(delta("tether_redis_publishes_total")).toBeGreaterThan(0);
    expect(delta("tether_redis_commands_total")).toBeGreaterThan(delta("tether_redis_publishes_total"));
    expect(delta('tether_http_request_duration_seconds_count{route="/api/conversations/:id/messages",method="POST",status="200"}')).toBe(1);
  });

  it("counts a failed reply by its upstream error code", async () => {
    const { post } = await chat();
    const before = await scrape();
    h.fake.enqueue({ text: "cut short here", end: "error", failAfter: 5 });
    const frames = await post("fail me");
    expect(frames.at(-1)?.data.message).toMatchObject({ status: "failed", error: { code: "upstream_overloaded" } });
    await expect
      .poll(async () => v(await scrape(), 'tether_upstream_errors_total{code="upstream_overloaded"}'))
      .toBe(v(before, 'tether_upstream_errors_total{code="upstream_overloaded"}') + 1);
    const after = await scrape();
    expect(v(after, 'tether_generations_total{status="failed",provider="anthropic"}')).toBe(
      v(before, 'tether_generations_total{status="failed",provider="anthropic"}') + 1,
    );
  });
});

describe("JSON logs", () => {
  it("log requests and the generation's lifecycle with ids, and never content, keys or cookies", async () => {
    const question = `my private question ${randomUUID()}`;
    const answer = `the private answer ${randomUUID()}`;
    const logs = captureLogs("debug");
    let cookie = "";
    let messageId = "";
    try {
      const c = await chat();
      cookie = c.cookie;
      h.fake.enqueue({ text: answer, chunk: 4 });
      const frames = await c.post(question);
      messageId = frames[0].data.message.id;
      expect(frames.at(-1)?.data.message.content).toBe(answer);
      await scrapeRes(`Bearer ${TOKEN}`);
    } finally {
      logs.restore();
    }
    const entries = logs.entries();
    const post = entries.find((e) => e.msg === "request" && e.route === "/api/conversations/:id/messages");
    expect(post).toMatchObject({ level: "info", method: "POST", status: 200, reqId: expect.any(String), userId: expect.any(String), conversationId: expect.any(String) });
    expect(post?.durationMs).toEqual(expect.any(Number));
    for (const field of ["mode", "provider", "stopReason"]) expect(post).not.toHaveProperty(field); // the generation's fields stay on its lines
    const lifecycle = entries.filter((e) => e.messageId === messageId && e.component === "generation");
    expect(lifecycle.map((e) => e.msg)).toEqual(["generation started", "first token", "generation ended"]);
    expect(lifecycle[2]).toMatchObject({ status: "complete", stopReason: "end_turn", chars: answer.length, reqId: post?.reqId, userId: post?.userId });
    expect(entries.find((e) => e.route === "/api/metrics")).toMatchObject({ level: "debug", status: 200 });

    const text = logs.text();
    for (const secret of [question, answer, API_KEY, TOKEN, SESSION_SECRET, cookie.split("=")[1]]) expect(text).not.toContain(secret);
  });
});
