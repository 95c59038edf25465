// Scaled mode end to end through the routes: PostgreSQL (isolated schema)
// and the Redis bus, with the real SDK against the fake upstream.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { createClient } from "redis";
import { openDatabase, setDbHandle, type DbHandle } from "@/lib/db";
import { startFakeAnthropic, type FakeAnthropic } from "@/lib/testing/fake-anthropic";
import { call, cookieFrom, readSse, rebuildText } from "@/lib/testing/route-client";
import { getStreamBus } from "@/lib/stream";
import { RedisStreamBus } from "@/lib/stream/redis-bus";
import * as guest from "@/app/api/auth/guest/route";
import * as conversations from "@/app/api/conversations/route";
import * as messages from "@/app/api/conversations/[id]/messages/route";
import * as stop from "@/app/api/messages/[id]/stop/route";
import * as cont from "@/app/api/messages/[id]/continue/route";
import * as stream from "@/app/api/messages/[id]/stream/route";

const PG_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const schema = `t_scaled_${process.pid}_${Date.now()}`;
let db: DbHandle;
let fake: FakeAnthropic;

beforeAll(async () => {
  fake = await startFakeAnthropic();
  Object.assign(process.env, {
    LLM_PROVIDER: "anthropic",
    ANTHROPIC_API_KEY: "sk-test-scaled",
    ANTHROPIC_BASE_URL: fake.url,
    ANTHROPIC_MODEL: "claude-haiku-4-5",
    SESSION_SECRET: "scaled-secret-".padEnd(48, "z"),
    REDIS_URL,
  });
  db = await openDatabase({ kind: "postgres", url: PG_URL, schema });
  setDbHandle(db);
});

afterAll(async () => {
  const bus = getStreamBus();
  if (bus instanceof RedisStreamBus) await bus.close();
  setDbHandle(undefined);
  await db?.close();
  await fake?.close();
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`drop schema if exists "${schema}" cascade`);
  await admin.end();
});

const TEXT = "Scaled ✓ 中文 🚀 e\u0301 data: {\"a\":1}\n\nid: 99\n\nthe end";

async function setup() {
  const cookie = cookieFrom(await call(guest.POST, "POST", "/api/auth/guest"));
  const conv = await (await call(conversations.POST, "POST", "/", { cookie, body: {} })).json();
  return { cookie, cid: conv.id as string };
}

describe("scaled mode (PostgreSQL + Redis)", () => {
  it("uses the Redis bus", () => {
    expect(getStreamBus()).toBeInstanceOf(RedisStreamBus);
  });

  it("streams a reply byte-exact, replays after any N from Redis, and saves it", async () => {
    const { cookie, cid } = await setup();
    fake.enqueue({ text: TEXT, chunk: [1, 2, 3], delayMs: 1 });
    const frames = await readSse(await call(messages.POST, "POST", "/", { cookie, params: { id: cid }, body: { content: "scaled" } }));
    expect(frames.slice(1).map((f) => f.id)).toEqual(frames.slice(1).map((_, i) => i + 1));
    expect(rebuildText(frames)).toBe(TEXT);
    const mid = frames[0].data.message.id;
    for (const n of [0, 3, frames.length - 4]) {
      const replay = await readSse(await call(stream.GET, "GET", `/?after=${n}`, { cookie, params: { id: mid } }));
      expect(replay.map((f) => f.id)).toEqual(frames.filter((f) => f.id! > n).map((f) => f.id));
    }
    const row = await db.prisma.message.findUniqueOrThrow({ where: { id: mid } });
    expect([row.status, row.content]).toEqual(["complete", TEXT]);
    // The finished log expires from Redis (bounded), the database keeps it.
    const r = createClient({ url: REDIS_URL });
    await r.connect();
    expect(await r.pTTL(`tether:reply:${mid}:log`)).toBeGreaterThan(0);
    await r.close();
  });

  it("stops and continues a reply with exact text and continuing ids", async () => {
    const { cookie, cid } = await setup();
    fake.enqueue({ text: TEXT, chunk: 1, end: "stall", failAfter: 12 });
    const res = await call(messages.POST, "POST", "/", { cookie, params: { id: cid }, body: { content: "stop me" } });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!seen.includes('"text":"中"')) seen += (await reader.read()).value ?? "";
    const mid = /"message":\{"id":"([0-9a-f-]{36})"/.exec(seen)![1];
    const stopped = await (await call(stop.POST, "POST", "/", { cookie, params: { id: mid } })).json();
    await reader.cancel();
    expect(stopped.status).toBe("interrupted");
    expect(TEXT.startsWith(stopped.content)).toBe(true);
    fake.enqueue({ text: TEXT, chunk: 4 });
    const frames = await readSse(await call(cont.POST, "POST", "/", { cookie, params: { id: mid }, body: {} }));
    const done = frames[frames.length - 1];
    expect(done.data.message).toMatchObject({ status: "complete", content: TEXT });
    expect(frames.slice(1).map((f) => f.id)).toEqual(frames.slice(1).map((_, i) => frames[0].id! + 1 + i));
    expect(rebuildText(frames)).toBe(TEXT);
  });
});
