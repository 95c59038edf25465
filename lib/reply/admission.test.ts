// Admission's rules (docs/PROTOCOL.md §3.2) one by one, on an in-memory
// PGlite: content limits, the title, the order of the checks, what a refusal
// leaves behind (nothing), and Continue's conditions. Races between posts are
// in lib/platform/db/db.test.ts, on both databases.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { openDatabase, type DbHandle } from "../platform/db";
import { RequestRateLimiter } from "../platform/rate-limit";
import { Shutdown } from "../platform/shutdown";
import { DEFAULT_TITLE } from "../chat/conversations";
import { testAdmission } from "../testing/app";
import { GenerationCapacity } from "./capacity";
import { GenerationRegistry } from "./registry";
import { continueReply, createReply, MAX_CONTENT_CHARS, requireContent } from "./admission";

let db: DbHandle;
beforeAll(async () => {
  db = await openDatabase({ kind: "pglite-memory" });
});
afterAll(async () => {
  await db?.close();
});

async function conversation(o: { title?: string; titleLocked?: boolean } = {}, userId: string = randomUUID()) {
  await db.prisma.user.upsert({ where: { id: userId }, create: { id: userId }, update: {} });
  return db.prisma.conversation.create({ data: { userId, title: o.title ?? DEFAULT_TITLE, titleLocked: o.titleLocked ?? false } });
}
const rows = (conversationId: string) => db.prisma.message.count({ where: { conversationId } });
const finish = (id: string, status: "complete" | "interrupted" | "failed" = "complete") =>
  db.prisma.message.update({ where: { id }, data: { status, error: status === "failed" ? { code: "x", message: "y" } : undefined } });

describe("requireContent", () => {
  it("refuses empty text (400) and more than 32,000 code points (413), and keeps the text as sent", () => {
    for (const empty of ["", " ", "\n\t "])
      expect(() => requireContent(empty)).toThrow(expect.objectContaining({ code: "invalid_input", status: 400, message: "content must not be empty" }));
    const emoji = "👍".repeat(MAX_CONTENT_CHARS); // 64,000 UTF-16 units, 32,000 code points
    expect(requireContent(emoji)).toBe(emoji);
    expect(() => requireContent(emoji + "x")).toThrow(expect.objectContaining({ code: "too_large", status: 413, message: expect.stringContaining("32000") }));
    expect(requireContent("  padded\n")).toBe("  padded\n");
  });
});

describe("createReply", () => {
  it("adds the user's message and a pending reply on the shown path, the reply the conversation's leaf", async () => {
    const c = await conversation();
    const first = await createReply(testAdmission(db.prisma), c.userId, c.id, "one");
    await finish(first.assistantMessage.id);
    const second = await createReply(testAdmission(db.prisma), c.userId, c.id, "two");
    expect(second.userMessage).toMatchObject({ role: "user", status: "complete", content: "two", parentId: first.assistantMessage.id });
    expect(second.assistantMessage).toMatchObject({ role: "assistant", status: "pending", content: "", parentId: second.userMessage.id });
    expect(new Date(second.assistantMessage.createdAt).getTime()).toBe(new Date(second.userMessage.createdAt).getTime() + 1);
    const conv = await db.prisma.conversation.findUniqueOrThrow({ where: { id: c.id } });
    expect(conv.currentLeafId).toBe(second.assistantMessage.id);
    expect(conv.updatedAt.getTime()).toBe(new Date(second.assistantMessage.createdAt).getTime());
  });

  it("titles a new conversation from its first message: one line, at most 60 code points", async () => {
    const title = async (content: string, o: { title?: string; titleLocked?: boolean } = {}) => {
      const c = await conversation(o);
      const r = await createReply(testAdmission(db.prisma), c.userId, c.id, content);
      await finish(r.assistantMessage.id);
      await createReply(testAdmission(db.prisma), c.userId, c.id, "a later message never renames");
      return (await db.prisma.conversation.findUniqueOrThrow({ where: { id: c.id } })).title;
    };
    expect(await title("  what\n\tis   this?  ")).toBe("what is this?");
    const sixty = "é".repeat(60);
    expect(await title(sixty)).toBe(sixty);
    expect(await title("👍".repeat(61))).toBe("👍".repeat(59) + "…");
    expect(await title("a".repeat(58) + " " + "b".repeat(10))).toBe("a".repeat(58) + "…"); // no space before the ellipsis
    expect(await title("renamed?", { titleLocked: true })).toBe(DEFAULT_TITLE);
    expect(await title("named?", { title: "My own" })).toBe("My own");
    expect(await title(DEFAULT_TITLE)).toBe(DEFAULT_TITLE); // and the later message still does not rename it
  });

  it("refuses another user's conversation (404), a busy conversation (409), and more than the user's limit (429), writing nothing", async () => {
    const c = await conversation();
    const stranger = (await conversation()).userId;
    await expect(createReply(testAdmission(db.prisma), stranger, c.id, "mine?")).rejects.toMatchObject({ code: "not_found", message: "conversation not found" });
    const first = await createReply(testAdmission(db.prisma), c.userId, c.id, "one");
    await expect(createReply(testAdmission(db.prisma), c.userId, c.id, "two")).rejects.toMatchObject({
      code: "generation_in_progress",
      status: 409,
      message: "A reply is already being generated in this conversation.",
    });
    const other = await conversation({}, c.userId);
    const two = testAdmission(db.prisma, { maxActivePerUser: 2 });
    await createReply(two, c.userId, other.id, "second at once"); // 2 of 2
    const third = await conversation({}, c.userId);
    await expect(createReply(two, c.userId, third.id, "third")).rejects.toMatchObject({
      code: "too_many_generations",
      status: 429,
      headers: { "Retry-After": "5" },
      message: "At most 2 replies can be generated at once.",
    });
    expect(await rows(third.id)).toBe(0);
    await finish(first.assistantMessage.id);
    await createReply(two, c.userId, third.id, "room again"); // 1 generating, limit 2
    expect(await rows(third.id)).toBe(2);
  });

  it("checks the rate before the capacity, and the capacity before the database; a refusal frees its slot", async () => {
    const c = await conversation();
    const capacity = new GenerationCapacity(new GenerationRegistry(), 1);
    const limiter = new RequestRateLimiter({ points: 1, windowSec: 600 }, { kind: "memory" }, `admission-${randomUUID()}`);
    const a = testAdmission(db.prisma, { capacity, limiter });
    await expect(createReply(a, c.userId, randomUUID(), "no such conversation")).rejects.toMatchObject({ code: "not_found" });
    expect(capacity.used).toBe(0); // released after the failed transaction
    await expect(createReply(a, c.userId, c.id, "over the rate")).rejects.toMatchObject({ code: "rate_limited" });
    expect(capacity.used).toBe(0);
    const b = testAdmission(db.prisma, { capacity });
    const admitted = await createReply(b, c.userId, c.id, "takes the one slot");
    expect(capacity.used).toBe(1); // handed over to the reply until the job runner has it
    const d = await conversation();
    await expect(createReply(b, d.userId, d.id, "no slot")).rejects.toMatchObject({ code: "overloaded", status: 503 });
    expect(await rows(d.id)).toBe(0);
    capacity.handedOver(admitted.assistantMessage.id);
    expect(capacity.used).toBe(0);
  });

  it("refuses while the instance drains", async () => {
    const c = await conversation();
    const shutdown = new Shutdown();
    await shutdown.drain(new GenerationRegistry(), 0);
    await expect(createReply(testAdmission(db.prisma, { shutdown }), c.userId, c.id, "now?")).rejects.toMatchObject({ code: "unavailable", status: 503 });
    expect(await rows(c.id)).toBe(0);
  });
});

describe("continueReply", () => {
  it("reopens the latest interrupted or failed reply as pending, its error cleared, at its saved seq", async () => {
    for (const status of ["interrupted", "failed"] as const) {
      const c = await conversation();
      const r = await createReply(testAdmission(db.prisma), c.userId, c.id, "q");
      await db.prisma.message.update({ where: { id: r.assistantMessage.id }, data: { seq: 12 } });
      await finish(r.assistantMessage.id, status);
      const before = new Date("2026-01-01T00:00:00Z");
      await db.prisma.conversation.update({ where: { id: c.id }, data: { updatedAt: before } });
      const { message, seq } = await continueReply(testAdmission(db.prisma), c.userId, r.assistantMessage.id);
      expect([message.id, message.status, message.error ?? null, seq]).toEqual([r.assistantMessage.id, "pending", null, 12]);
      expect((await db.prisma.conversation.findUniqueOrThrow({ where: { id: c.id } })).updatedAt.getTime()).toBeGreaterThan(before.getTime()); // moves up the list
    }
  });

  it("refuses another user's reply (404), a user message, a complete reply, and a reply that is not the latest", async () => {
    const c = await conversation();
    const first = await createReply(testAdmission(db.prisma), c.userId, c.id, "one");
    await finish(first.assistantMessage.id, "interrupted");
    const stranger = (await conversation()).userId;
    await expect(continueReply(testAdmission(db.prisma), stranger, first.assistantMessage.id)).rejects.toMatchObject({ code: "not_found", message: "message not found" });
    await expect(continueReply(testAdmission(db.prisma), c.userId, first.userMessage.id)).rejects.toMatchObject({ code: "not_resumable" });
    const second = await createReply(testAdmission(db.prisma), c.userId, c.id, "two");
    await expect(continueReply(testAdmission(db.prisma), c.userId, second.assistantMessage.id)).rejects.toMatchObject({ code: "generation_in_progress" });
    await finish(second.assistantMessage.id, "complete");
    await expect(continueReply(testAdmission(db.prisma), c.userId, second.assistantMessage.id)).rejects.toMatchObject({
      code: "not_resumable",
      message: expect.stringContaining("complete"),
    });
    await expect(continueReply(testAdmission(db.prisma), c.userId, first.assistantMessage.id)).rejects.toMatchObject({
      code: "not_resumable",
      message: expect.stringContaining("latest"),
    });
    expect((await db.prisma.message.findUniqueOrThrow({ where: { id: first.assistantMessage.id } })).status).toBe("interrupted");
  });
});
