// Between a post's commit and its upstream request, the generation reads only
// what the admission could not: the reply's history and the user's settings
// (docs/BENCHMARKS.md, Run F and Run J). The reply's row and its
// conversation's model and system prompt come from the admission that just
// committed them, and the first block of ids is committed with the row. The
// route handler in this process, every database operation recorded (a
// Prisma query extension), the real SDK against the fake Anthropic server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DbHandle } from "@/lib/platform/db";
import { testApp } from "@/lib/testing/app";
import { setApp } from "@/lib/runtime";
import { startFakeAnthropic } from "@/lib/testing/fake-anthropic";
import { call, cookieFrom, readSse, rebuildText } from "@/lib/testing/route-client";
import { ID_BLOCK } from "@/lib/reply/lifecycle";
import type { App } from "@/lib/app";
import * as guest from "@/app/api/auth/guest/route";
import * as conversations from "@/app/api/conversations/route";
import * as messages from "@/app/api/conversations/[id]/messages/route";

let log: string[] = [];
let base: DbHandle;
let app: App;
let fake: Awaited<ReturnType<typeof startFakeAnthropic>>;
const realFetch = globalThis.fetch;

beforeAll(async () => {
  // Before the app exists: its SDK client takes fetch when it is made.
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    if (String(input instanceof Request ? input.url : input).includes("/v1/messages")) log.push("→ upstream");
    return realFetch(input, init);
  }) as typeof fetch;
  fake = await startFakeAnthropic();
  base = await openDatabase({ kind: "pglite-memory" });
  const prisma = base.prisma.$extends({
    query: {
      async $allOperations({ model, operation, args, query }) {
        log.push(`${model ? `${model}.` : ""}${operation}`);
        return query(args);
      },
    },
  });
  app = testApp(
    { LLM_PROVIDER: "anthropic", ANTHROPIC_API_KEY: "sk-test", ANTHROPIC_BASE_URL: fake.url, CONVERSATION_TITLES: "off", MESSAGE_RATE_LIMIT: "0" },
    { dbHandle: { ...base, prisma: prisma as unknown as DbHandle["prisma"] } },
  );
  setApp(app);
});

afterAll(async () => {
  globalThis.fetch = realFetch;
  setApp(undefined);
  await app.close();
  await base.close();
  await fake.close();
});

describe("a post's first token", () => {
  it("after the admission commits, only the history and the settings are read before the upstream request; the row's first id block came with it", async () => {
    const cookie = cookieFrom(await call(guest.POST, "POST", "/api/auth/guest"));
    const conv = await (await call(conversations.POST, "POST", "/", { cookie, body: {} })).json();
    const text = "Grüße 👋🏽 — data: x\n\nid: 9\n";
    fake.enqueue({ text, chunk: 4 });
    log = [];
    const res = await call(messages.POST, "POST", "/", { cookie, body: { content: "hello", stream: true }, params: { id: conv.id } });
    const frames = await readSse(res);
    expect(rebuildText(frames)).toBe(text);
    const ids = frames.filter((f) => f.id !== null && f.id > 0).map((f) => f.id);
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    // The admission's last write, then the upstream request.
    const committed = log.indexOf("Conversation.update");
    const upstream = log.indexOf("→ upstream");
    expect(committed).toBeGreaterThan(0);
    expect(upstream).toBeGreaterThan(committed);
    expect(log.slice(committed + 1, upstream).sort()).toEqual(["Message.findMany", "UserSettings.findUnique"]);
    const reply = await base.prisma.message.findUniqueOrThrow({ where: { id: frames[0].data.message.id } });
    expect(reply.seqCeiling).toBe(1 + ID_BLOCK);
    expect(reply.content).toBe(text);
  });
});
