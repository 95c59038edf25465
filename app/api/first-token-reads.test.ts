// A post's admission is one database call, which also returns the reply's
// history and the user's settings: the upstream request follows it with no
// other read. Continue, regenerate and edit read only the history and the
// settings after their admission. The reply's row and its conversation's
// model and system prompt come from the admission that just committed them,
// and the first block of ids is committed with the row (docs/BENCHMARKS.md,
// Runs F, J and N). The route handler in this process, every database
// operation recorded (a Prisma query extension), the real SDK against the
// fake Anthropic server.
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
import * as stop from "@/app/api/messages/[id]/stop/route";
import * as continueRoute from "@/app/api/messages/[id]/continue/route";
import * as regenerate from "@/app/api/messages/[id]/regenerate/route";
import * as edit from "@/app/api/messages/[id]/edit/route";

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

/** The operations between the start's last write in its admission (the conversation's update) and the upstream request, sorted. */
function readsBeforeUpstream(): string[] {
  const committed = log.lastIndexOf("Conversation.update", log.indexOf("→ upstream"));
  expect(committed).toBeGreaterThan(0);
  return log.slice(committed + 1, log.indexOf("→ upstream")).sort();
}

describe("a post's first token", () => {
  it("is one database call before the upstream request; the row's first id block came with it", async () => {
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
    // The whole admission is one call (lib/reply/post-admission.ts), which brings the history and the settings: then the upstream request.
    expect(log.slice(0, log.indexOf("→ upstream"))).toEqual(["$queryRaw"]);
    const reply = await base.prisma.message.findUniqueOrThrow({ where: { id: frames[0].data.message.id } });
    expect(reply.seqCeiling).toBe(1 + ID_BLOCK);
    expect(reply.content).toBe(text);
    // What that call committed: the user's message before its reply, the conversation's new leaf, and its title.
    const user = await base.prisma.message.findUniqueOrThrow({ where: { id: reply.parentId! } });
    expect([user.role, user.content, user.status, user.parentId]).toEqual(["user", "hello", "complete", null]);
    expect(reply.createdAt.getTime() - user.createdAt.getTime()).toBe(1);
    const saved = await base.prisma.conversation.findUniqueOrThrow({ where: { id: conv.id } });
    expect([saved.currentLeafId, saved.title]).toEqual([reply.id, "hello"]);
  });

  it("Continue, regenerate and edit start the same way: the reply's row, its conversation and its id block are not read or written again", async () => {
    const cookie = cookieFrom(await call(guest.POST, "POST", "/api/auth/guest"));
    const conv = await (await call(conversations.POST, "POST", "/", { cookie, body: {} })).json();
    // A reply stopped after its first words, then continued.
    fake.enqueue({ text: "first words, then more", chunk: 3, end: "stall", failAfter: 2 });
    let id = "";
    let stopped: Promise<Response> | undefined;
    const posted = await readSse(await call(messages.POST, "POST", "/", { cookie, body: { content: "hello", stream: true }, params: { id: conv.id } }), (f) => {
      id ||= f.data.message?.id ?? "";
      if (f.event === "delta") stopped ??= call(stop.POST, "POST", "/", { cookie, params: { id } });
    });
    expect((await (await stopped!).json()).status).toBe("interrupted");
    const userId = posted[0].data.userMessage.id as string;
    const starts: [string, () => Promise<Response>][] = [
      ["continue", () => call(continueRoute.POST, "POST", "/", { cookie, params: { id }, body: { stream: true } })],
      ["regenerate", () => call(regenerate.POST, "POST", "/", { cookie, params: { id }, body: { stream: true } })],
      ["edit", () => call(edit.POST, "POST", "/", { cookie, params: { id: userId }, body: { content: "hello again", stream: true } })],
    ];
    for (const [what, start] of starts) {
      fake.enqueue({ text: `${what}: Grüße 👋🏽`, chunk: 4 });
      log = [];
      const res = await start();
      expect(res.status, what).toBe(200);
      const frames = await readSse(res);
      expect(frames.at(-1)!.data.message.status, what).toBe("complete");
      // (Regenerate and edit read the new message's versions inside their transaction, after the update.)
      const reads = readsBeforeUpstream();
      expect(reads, what).toContain("UserSettings.findUnique");
      for (const again of ["Message.findUnique", "Conversation.findUniqueOrThrow", "Message.updateMany"]) expect(reads, what).not.toContain(again);
    }
  });
});
