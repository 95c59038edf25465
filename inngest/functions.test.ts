// Tether's Inngest functions run by @inngest/test's engine (the real SDK
// execution, in-process) over an in-memory PGlite, with replies from the real
// Anthropic SDK talking to the fake Anthropic server.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { randomUUID } from "node:crypto";
import { InngestTestEngine } from "@inngest/test";
import type { InngestFunction } from "inngest";
import { openDatabase, type DbHandle } from "../lib/platform/db";
import { startFakeAnthropic, type FakeAnthropic } from "../lib/testing/fake-anthropic";
import type { App } from "../lib/app";
import { setApp } from "../lib/runtime";
import { generateReplyFn, generateTitleFn, persistReplyFn, purgeIdleGuestsFn, sweepStaleRepliesFn, functions } from "./functions";
import { testApp, pendingReply } from "../lib/testing/app";
import { EXPIRED, LIVE, makeUser, remains } from "../lib/testing/guests";

let db: DbHandle;
let fake: FakeAnthropic;
let app: App;
const appWith = (env: Record<string, string> = {}) =>
  testApp({ LLM_PROVIDER: "anthropic", ANTHROPIC_API_KEY: "sk-test", ANTHROPIC_BASE_URL: fake.url, AUTO_RESUME_ATTEMPTS: "0", ...env }, { dbHandle: db });

beforeAll(async () => {
  fake = await startFakeAnthropic();
  db = await openDatabase({ kind: "pglite-memory" });
  app = appWith();
  setApp(app); // the functions reach the app the way the served endpoint does
});

afterAll(async () => {
  setApp(undefined);
  await app?.close();
  await db?.close();
  await fake?.close();
});

/** A fresh user, conversation and pending reply to `content`. */
async function newReply(content?: string) {
  return (await pendingReply(db.prisma, content)).id;
}

const row = (id: string) => db.prisma.message.findUniqueOrThrow({ where: { id } });

// A fresh engine per run: an engine caches its first execute().
const run = (fn: InngestFunction.Any, name: string, data: Record<string, unknown>) => new InngestTestEngine({ function: fn }).execute({ events: [{ name, data }] });

const TRICKY = "Héllo 👩‍💻🇫🇷 世界 한국어 e\u0301 a\u0308 ∑ \u2028sep\n" + "data: x\n\nid: 3\nevent: done\r\n: comment\r\rretry: 1\n\n" + "```ts\nconst a = `${1}`;\n```\n";

describe("generate-reply", () => {
  it("runs a pending reply to completion, byte for byte, and reports a summary", async () => {
    const question = `Tell me ${randomUUID()}`;
    const id = await newReply(question);
    const text = `${TRICKY}${randomUUID()} 🎉`;
    fake.enqueue({ text, chunk: [1, 2, 3, 5, 1, 8] });
    const before = fake.requests.length;

    const { result, error } = await run(generateReplyFn, "tether/reply.generate", { messageId: id });

    expect(error).toBeUndefined();
    const saved = await row(id);
    expect(result).toEqual({ messageId: id, ran: true, status: "complete", seq: saved.seq, contentLength: text.length });
    expect(saved.content).toBe(text);
    expect(saved.parts).toEqual([{ type: "text", text }]);
    expect(saved.status).toBe("complete");
    expect(saved.seq).toBeGreaterThan(3);
    expect(fake.requests.length).toBe(before + 1);
    expect(JSON.stringify(fake.requests.at(-1)?.body.messages)).toContain(question);
    expect(app.generations.isLive(id)).toBe(false);
  });

  it("does nothing for a message that is no longer pending (duplicate event)", async () => {
    const id = await newReply();
    fake.enqueue({ text: `first ${randomUUID()}` });
    const first = await run(generateReplyFn, "tether/reply.generate", { messageId: id });
    expect(first.result).toMatchObject({ ran: true, status: "complete" });
    const done = await row(id);
    const before = fake.requests.length;

    const again = await run(generateReplyFn, "tether/reply.generate", { messageId: id });

    expect(again.error).toBeUndefined();
    expect(again.result).toEqual({ messageId: id, ran: false, reason: "not_pending", status: "complete" });
    expect(fake.requests.length).toBe(before);
    expect(await row(id)).toEqual(done);
  });

  it("skips a message that does not exist", async () => {
    const messageId = randomUUID();
    const { result } = await run(generateReplyFn, "tether/reply.generate", { messageId });
    expect(result).toEqual({ messageId, ran: false, reason: "not_found" });
  });

  it("rejects a malformed event without running anything", async () => {
    const before = fake.requests.length;
    const { result, error } = await run(generateReplyFn, "tether/reply.generate", { messageid: "typo" });
    expect(result).toBeUndefined();
    expect(String((error as Error | undefined)?.message)).toMatch(/messageId/);
    expect(fake.requests.length).toBe(before);
  });
});

describe("persist-reply", () => {
  it("applies a newer state and ignores an older one", async () => {
    const id = await newReply();
    const base = (await row(id)).seq;
    const newer = { seq: base + 10, status: "streaming", parts: [{ type: "text", text: "newer ✓" }], content: "newer ✓" };
    const older = { seq: base + 5, status: "complete", parts: [{ type: "text", text: "older" }], content: "older", error: null };

    const a = await run(persistReplyFn, "tether/reply.persist", { messageId: id, state: newer });
    expect(a.result).toEqual({ messageId: id, seq: base + 10, applied: true });
    expect(await row(id)).toMatchObject({ seq: base + 10, status: "streaming", content: "newer ✓", parts: newer.parts });

    const b = await run(persistReplyFn, "tether/reply.persist", { messageId: id, state: older });
    expect(b.result).toEqual({ messageId: id, seq: base + 5, applied: false });
    expect(await row(id)).toMatchObject({ seq: base + 10, status: "streaming", content: "newer ✓" });

    // A retried delivery of the same state is harmless too.
    const c = await run(persistReplyFn, "tether/reply.persist", { messageId: id, state: newer });
    expect(c.result).toMatchObject({ applied: false });
  });

  it("saves a final state with its error and metadata", async () => {
    const id = await newReply();
    const state = {
      seq: (await row(id)).seq + 3,
      status: "failed",
      parts: [{ type: "text", text: "cut" }],
      content: "cut",
      error: { code: "upstream_error", message: "boom" },
      metadata: { model: "claude-test", stopReason: "error", durationMs: 12 },
    };
    const { result } = await run(persistReplyFn, "tether/reply.persist", { messageId: id, state });
    expect(result).toMatchObject({ applied: true });
    expect(await row(id)).toMatchObject({ status: "failed", content: "cut", error: state.error, metadata: state.metadata });
  });
});

describe("sweep-stale-replies", () => {
  it("marks a reply whose last save is older than 90 s interrupted, and leaves a fresh one", async () => {
    const stale = await newReply();
    const fresh = await newReply();
    await db.prisma.$executeRaw`UPDATE "Message" SET "updatedAt" = now() - interval '95 seconds' WHERE id = ${stale}::uuid`;
    const staleSeq = (await row(stale)).seq;

    const { result, error } = await run(sweepStaleRepliesFn, "inngest/scheduled.timer", { cron: "* * * * *" });

    expect(error).toBeUndefined();
    const swept = (result as { swept: string[] }).swept;
    expect(swept).toContain(stale);
    expect(swept).not.toContain(fresh);
    expect(await row(stale)).toMatchObject({ status: "interrupted" });
    expect((await row(stale)).seq).toBeGreaterThan(staleSeq);
    expect(await row(fresh)).toMatchObject({ status: "pending" });
  });

  it("never sweeps a reply this process is generating", async () => {
    const id = await newReply();
    fake.enqueue({ text: "stalls here and never ends", end: "stall", failAfter: 6 });
    const n = fake.requests.length;
    const done = app.generations.start(await app.generationDeps(), id);
    await fake.waitForRequests(n + 1);

    const swept = await app.replyJobs.sweepStale({ staleMs: 0 });

    expect(swept.interrupted).not.toContain(id);
    expect(swept.resumed).not.toContain(id);
    expect((await row(id)).status).not.toBe("interrupted");
    app.generations.stop(id);
    expect((await done).status).toBe("interrupted");
  });
});

describe("purge-idle-guests", () => {
  it("deletes expired sessions and guests nobody can reach, with their data; a live guest, an account and a guest whose reply generates stay", async () => {
    const expired = await makeUser(db.prisma, { sessions: [EXPIRED], reply: "complete", settings: true });
    const liveGuest = await makeUser(db.prisma, { sessions: [LIVE], reply: "complete" });
    const account = await makeUser(db.prisma, { guest: false, sessions: [EXPIRED], reply: "complete" });
    const generating = await makeUser(db.prisma, { sessions: [EXPIRED], reply: "streaming" });

    const { result, error } = await run(purgeIdleGuestsFn, "inngest/scheduled.timer", { cron: "*/10 * * * *" });

    expect(error).toBeUndefined();
    expect(result).toEqual({ purged: { sessions: 3, guests: 1, emptyGuests: 0, files: 0, idempotencyKeys: 0 } });
    expect(await remains(db.prisma, expired)).toEqual({ user: false, sessions: 0, conversations: 0, messages: 0, settings: 0 });
    expect(await remains(db.prisma, liveGuest)).toMatchObject({ user: true, sessions: 1, messages: 2 });
    expect(await remains(db.prisma, account)).toMatchObject({ user: true, sessions: 0, messages: 2 });
    expect(await remains(db.prisma, generating)).toMatchObject({ user: true, messages: 2 });
  });
});

it("serves exactly the five functions, with one generation per message at a time", () => {
  expect(functions.map((f) => f.id("tether"))).toEqual([
    "tether-generate-reply",
    "tether-persist-reply",
    "tether-sweep-stale-replies",
    "tether-purge-idle-guests",
    "tether-generate-title",
  ]);
  expect(generateTitleFn.opts.concurrency).toEqual({ limit: 1, key: "event.data.conversationId" });
  expect(generateReplyFn.opts.concurrency).toEqual({ limit: 1, key: "event.data.messageId" });
  expect(generateReplyFn.opts.retries).toBe(6); // a crash and a wait for the dead owner each use one
  expect(sweepStaleRepliesFn.opts.triggers).toEqual([{ cron: "* * * * *" }]);
  expect(purgeIdleGuestsFn.opts.triggers).toEqual([{ cron: "*/10 * * * *" }]);
});

describe("generate-title", () => {
  it("names a conversation from its first exchange through Claude, and leaves a user's title alone", async () => {
    const question = `Why is the sky blue? ${randomUUID()}`;
    const id = await newReply(question);
    fake.enqueue({ text: "Rayleigh scattering makes it blue." });
    await run(generateReplyFn, "tether/reply.generate", { messageId: id });
    const { conversationId } = await row(id);

    fake.enqueue({ text: "Why the Sky Is Blue" });
    const { result, error } = await run(generateTitleFn, "tether/conversation.title", { conversationId });
    expect(error).toBeUndefined();
    expect(result).toEqual({ title: "Why the Sky Is Blue", source: "model" });
    expect(JSON.stringify(fake.requests.at(-1)?.body.messages)).toContain("Rayleigh scattering");
    expect((await db.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId } })).title).toBe("Why the Sky Is Blue");

    await db.prisma.conversation.update({ where: { id: conversationId }, data: { title: "Mine", titleLocked: true } });
    const again = await run(generateTitleFn, "tether/conversation.title", { conversationId });
    expect(again.result).toEqual({ skipped: "locked" });
    expect((await db.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId } })).title).toBe("Mine");
  });

  it("is asked for when a conversation's first reply completes (in-process runner)", async () => {
    const titled = appWith({ CONVERSATION_TITLES: "on" });
    try {
      const id = await newReply(`Please explain tides to me ${randomUUID()}`);
      const { conversationId } = await row(id);
      const before = fake.requests.length;
      fake.enqueue({ text: "The Moon pulls the oceans." }, { text: "Tides, Briefly" });
      await titled.jobs.startGeneration(id);
      await fake.waitForRequests(before + 2);
      await vi.waitFor(async () => {
        expect((await db.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId } })).title).toBe("Tides, Briefly");
      });
    } finally {
      await titled.close();
    }
  });
});
