// Scaled mode end to end through the routes: PostgreSQL (isolated schema)
// and the Redis bus, with the real SDK against the fake upstream.
import { describe, expect, it } from "vitest";
import { createClient } from "redis";
import { call, cookieFrom, readSse, rebuildText } from "@/lib/testing/route-client";
import { TEST_REDIS_URL, useRouteHarness } from "@/lib/testing/route-harness";
import { RedisStreamBus } from "@/lib/stream/redis-bus";
import * as guest from "@/app/api/auth/guest/route";
import * as conversations from "@/app/api/conversations/route";
import * as messages from "@/app/api/conversations/[id]/messages/route";
import * as stop from "@/app/api/messages/[id]/stop/route";
import * as cont from "@/app/api/messages/[id]/continue/route";
import * as stream from "@/app/api/messages/[id]/stream/route";

const REDIS_URL = TEST_REDIS_URL;
const h = useRouteHarness("scaled", {}, { scaled: true });

const TEXT = 'Scaled ✓ 中文 🚀 e\u0301 data: {"a":1}\n\nid: 99\n\nthe end';

async function setup() {
  const cookie = cookieFrom(await call(guest.POST, "POST", "/api/auth/guest"));
  const conv = await (await call(conversations.POST, "POST", "/", { cookie, body: {} })).json();
  return { cookie, cid: conv.id as string };
}

describe("scaled mode (PostgreSQL + Redis)", () => {
  it("uses the Redis bus", () => {
    expect(h.app.bus).toBeInstanceOf(RedisStreamBus);
  });

  it("streams a reply byte-exact, replays after any N from Redis, and saves it", async () => {
    const { cookie, cid } = await setup();
    h.fake.enqueue({ text: TEXT, chunk: [1, 2, 3], delayMs: 1 });
    const frames = await readSse(await call(messages.POST, "POST", "/", { cookie, params: { id: cid }, body: { content: "scaled" } }));
    expect(frames.slice(1).map((f) => f.id)).toEqual(frames.slice(1).map((_, i) => i + 1));
    expect(rebuildText(frames)).toBe(TEXT);
    const mid = frames[0].data.message.id;
    for (const n of [0, 3, frames.length - 4]) {
      const replay = await readSse(await call(stream.GET, "GET", `/?after=${n}`, { cookie, params: { id: mid } }));
      // The same events (ids and contents) as streamed live.
      expect(replay).toEqual(frames.filter((f) => f.id! > n));
    }
    const row = await h.db.prisma.message.findUniqueOrThrow({ where: { id: mid } });
    expect([row.status, row.content]).toEqual(["complete", TEXT]);
    // The finished log expires from Redis (bounded), the database keeps it.
    const r = createClient({ url: REDIS_URL });
    await r.connect();
    expect(await r.pTTL(`tether:reply:${mid}:log`)).toBeGreaterThan(0);
    await r.close();
  });

  it("stops and continues a reply with exact text and continuing ids", async () => {
    const { cookie, cid } = await setup();
    h.fake.enqueue({ text: TEXT, chunk: 1, end: "stall", failAfter: 12 });
    const res = await call(messages.POST, "POST", "/", { cookie, params: { id: cid }, body: { content: "stop me" } });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    // 中 may arrive inside a coalesced delta with the text before it.
    while (!seen.includes("中")) seen += (await reader.read()).value ?? "";
    const mid = /"message":\{"id":"([0-9a-f-]{36})"/.exec(seen)![1];
    const stopped = await (await call(stop.POST, "POST", "/", { cookie, params: { id: mid } })).json();
    await reader.cancel();
    expect(stopped.status).toBe("interrupted");
    expect(TEXT.startsWith(stopped.content)).toBe(true);
    h.fake.enqueue({ text: TEXT, chunk: 4 });
    const frames = await readSse(await call(cont.POST, "POST", "/", { cookie, params: { id: mid }, body: {} }));
    const done = frames[frames.length - 1];
    expect(done.data.message).toMatchObject({ status: "complete", content: TEXT });
    expect(frames.slice(1).map((f) => f.id)).toEqual(frames.slice(1).map((_, i) => frames[0].id! + 1 + i));
    expect(rebuildText(frames)).toBe(TEXT);
  });
});
