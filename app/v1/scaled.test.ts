// The gateway in scaled mode (docs/GATEWAY.md, docs/DEPLOY.md): two instances
// over PostgreSQL and Redis. A client that started a reply on instance A and
// lost it resumes on instance B with Last-Event-ID and reads exactly the rest;
// a Stop sent to B ends the stream A serves; B finds the thread A started.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "@/lib/app";
import { setApp } from "@/lib/runtime";
import type { RedisControl } from "@/lib/stream/control";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { call } from "@/lib/testing/route-client";
import { ids, increasing, readFrames, textOf } from "@/lib/testing/gateway-frames";
import { createApiKey } from "@/lib/gateway/keys";
import { replyIdOf } from "@/lib/gateway/wire";
import * as messages from "@/app/v1/messages/route";
import * as stream from "@/app/v1/messages/[id]/stream/route";
import * as stop from "@/app/v1/messages/[id]/stop/route";

const h = useRouteHarness("gateway_scaled", {}, { scaled: true });
let b: App;
let key: Record<string, string>;

beforeAll(async () => {
  b = h.build({});
  // Each instance hears Stop requests from the others (a server does this at start).
  await Promise.all([h.app, b].map((app) => (app.control as RedisControl).listen()));
  const db = await h.app.db();
  const user = await db.user.create({ data: { email: "scaled-gateway@example.com", name: "scaled" } });
  key = { "x-api-key": (await createApiKey(db, user.id, "scaled")).secret };
});
afterAll(async () => {
  setApp(h.app);
  await b?.close();
});

const ask = (content: string, more: Record<string, unknown> = {}) => ({
  model: "claude-haiku-4-5",
  max_tokens: 1000,
  stream: true,
  messages: [{ role: "user", content }],
  ...more,
});
const on = (app: App) => setApp(app);
const savedContent = async (apiId: string) => (await (await h.app.db()).message.findUniqueOrThrow({ where: { id: replyIdOf(apiId)! } })).content;

describe("the gateway over two instances", () => {
  it("a reply started on A and lost is resumed on B after its Last-Event-ID: exactly the rest, byte-exact", async () => {
    const text = "Across instances, every character once: ünïcödé, 日本語, 🦊, data: not a frame\n\nthe end.";
    h.fake.enqueue({ text, chunk: 2, delayMs: 15 });
    on(h.app);
    const res = await call(messages.POST, "POST", "/v1/messages", { headers: key, body: ask("across") });
    const apiId = res.headers.get("tether-message-id")!;
    const head = await readFrames(res, (_f, all) => all.filter((f) => f.event === "content_block_delta").length >= 3);
    on(b);
    const rest = await readFrames(
      await call(stream.GET, "GET", `/v1/messages/${apiId}/stream`, { headers: { ...key, "last-event-id": head.at(-1)!.id! }, params: { id: apiId } }),
    );
    expect(rest.at(-1)?.event).toBe("message_stop");
    expect(increasing(ids([...head, ...rest]))).toBe(true);
    expect(textOf([...head, ...rest])).toBe(text);
    expect(await savedContent(apiId)).toBe(text);
  });

  it("Stop sent to B ends the stream A serves; what A's client read is what is saved", async () => {
    h.fake.enqueue({ text: "stop me from the other instance ".repeat(40), chunk: 2, delayMs: 20 });
    on(h.app);
    const res = await call(messages.POST, "POST", "/v1/messages", { headers: key, body: ask("stop across") });
    const apiId = res.headers.get("tether-message-id")!;
    let stopped: Promise<Response> | undefined;
    const frames = await readFrames(res, (_f, all) => {
      if (!stopped && all.filter((f) => f.event === "content_block_delta").length === 3) {
        on(b);
        stopped = call(stop.POST, "POST", `/v1/messages/${apiId}/stop`, { headers: key, params: { id: apiId } });
      }
      return false;
    });
    const answer = await (await stopped!).json();
    expect(frames.at(-2)).toMatchObject({ event: "message_delta", data: { delta: { stop_reason: null }, tether: { status: "interrupted" } } });
    expect(answer).toMatchObject({ id: apiId, stop_reason: null });
    expect(await savedContent(apiId)).toBe(textOf(frames));
  });

  it("a thread started on A goes on through B", async () => {
    on(h.app);
    const first = await call(messages.POST, "POST", "/v1/messages", { headers: key, body: ask("thread start", { stream: false }) });
    const reply = await first.json();
    on(b);
    const next = await call(messages.POST, "POST", "/v1/messages", {
      headers: key,
      body: {
        ...ask("", { stream: false }),
        messages: [
          { role: "user", content: "thread start" },
          { role: "assistant", content: reply.content },
          { role: "user", content: "thread goes on" },
        ],
      },
    });
    expect((await next.json()).content).toEqual([{ type: "text", text: "Echo: thread goes on" }]);
    expect(next.headers.get("tether-conversation-id")).toBe(first.headers.get("tether-conversation-id"));
  });
});
