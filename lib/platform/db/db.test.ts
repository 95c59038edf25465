// The data layer on both databases the app runs on: in-memory PGlite (the
// embedded default's engine) and the real PostgreSQL in an isolated schema.
import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { Checkpointer } from "../../reply/generation/checkpoint";
import { saveCheckpoint } from "../../reply/lifecycle";
import { createConversation, getConversationWithMessages, listConversations, renameConversation } from "../../chat/conversations";
import { createReply } from "../../reply/admission";
import { sweepStaleReplies } from "../../reply/sweep";
import { AppError } from "../../errors";
import { ensureUser } from "../../auth/users";
import { testAdmission } from "../../testing/app";
import { bothDatabases, servedEmbedded, useDatabase } from "../../testing/databases";

const backends = [...bothDatabases("db"), servedEmbedded()];

describe.each(backends)("data layer on %s", (_name, open, dispose) => {
  const handle = useDatabase(open, dispose);

  async function user() {
    const id = randomUUID();
    await handle().prisma.user.create({ data: { id } });
    return id;
  }

  it("keeps conversations per user, newest first", async () => {
    const u1 = await user();
    const u2 = await user();
    const a = await createConversation(handle().prisma, u1, "a");
    const b = await createConversation(handle().prisma, u1, "b");
    await createConversation(handle().prisma, u2, "other");
    expect((await listConversations(handle().prisma, u1)).map((c) => c.id)).toEqual([b.id, a.id]);
    await renameConversation(handle().prisma, u1, a.id, "a2");
    await expect(renameConversation(handle().prisma, u2, a.id, "stolen")).rejects.toThrow(AppError);
    await expect(getConversationWithMessages(handle().prisma, u2, a.id)).rejects.toMatchObject({ code: "not_found" });
  });

  it("never lets an older checkpoint overwrite a newer one", async () => {
    const u = await user();
    const c = await createConversation(handle().prisma, u);
    const { assistantMessage } = await createReply(testAdmission(handle().prisma), u, c.id, "hi");
    const id = assistantMessage.id;
    const state = (seq: number, text: string) => ({ seq, status: "streaming" as const, parts: [{ type: "text" as const, text }], content: text });
    expect(await saveCheckpoint(handle().prisma, id, state(5, "five"))).toBe(true);
    expect(await saveCheckpoint(handle().prisma, id, state(3, "three"))).toBe(false);
    expect(await saveCheckpoint(handle().prisma, id, state(5, "five again"))).toBe(false);
    // Racing writers: whatever the interleaving, the highest seq wins.
    const seqs = Array.from({ length: 20 }, (_, i) => 6 + ((i * 7) % 20));
    await Promise.all(seqs.map((s) => saveCheckpoint(handle().prisma, id, state(s, `t${s}`))));
    const row = await handle().prisma.message.findUniqueOrThrow({ where: { id } });
    expect(row.seq).toBe(25);
    expect(row.content).toBe("t25");
  });

  // The throttle itself (one write per CHECKPOINT_INTERVAL_MS) is measured
  // under fake time in lib/reply/generation/checkpoint.test.ts; here, on each
  // real database, a burst of offers ends with an exact final state that no
  // pending checkpoint overwrites.
  it("ends a burst of checkpoint offers with the exact final state, never overwritten by a pending one", async () => {
    const u = await user();
    const c = await createConversation(handle().prisma, u);
    const { assistantMessage } = await createReply(testAdmission(handle().prisma), u, c.id, "hi");
    const cp = new Checkpointer(handle().prisma, assistantMessage.id, 0, 50, () => {}, 30_000);
    let text = "";
    for (let i = 1; i <= 300; i++) {
      text += "é👍";
      const snapshot = { seq: i, status: "streaming" as const, parts: [{ type: "text" as const, text }], content: text };
      cp.offer(() => snapshot);
    }
    expect(await cp.flush({ seq: 301, status: "complete", parts: [{ type: "text", text }], content: text })).toBe(true);
    expect(cp.writes).toBeLessThanOrEqual(2); // the burst's first state (maybe), then the final one
    // Past the interval: the offers of the burst wrote nothing after the final state.
    await new Promise((r) => setTimeout(r, 150));
    cp.close();
    const row = await handle().prisma.message.findUniqueOrThrow({ where: { id: assistantMessage.id } });
    expect([row.status, row.seq, row.content]).toEqual(["complete", 301, text]);
  });

  it("admits one reply per conversation even when posts race", async () => {
    const u = await user();
    const c = await createConversation(handle().prisma, u);
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => createReply(testAdmission(handle().prisma), u, c.id, `race ${i}`)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toMatchObject({ code: "generation_in_progress" });
    const { messages } = await getConversationWithMessages(handle().prisma, u, c.id);
    expect(messages.map((m) => [m.role, m.status])).toEqual([
      ["user", "complete"],
      ["assistant", "pending"],
    ]);
  });

  it("starts one reply for posts racing with one idempotency key, and gives every one of them that reply", async () => {
    const u = await user();
    const c = await createConversation(handle().prisma, u);
    const claim = { key: "double-click", fingerprint: "same" };
    const results = await Promise.all(Array.from({ length: 5 }, () => createReply(testAdmission(handle().prisma), u, c.id, "once", [], claim)));
    expect(new Set(results.map((r) => r.assistantMessage.id)).size).toBe(1);
    expect(new Set(results.map((r) => r.userMessage.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    const { messages } = await getConversationWithMessages(handle().prisma, u, c.id);
    expect(messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "once"],
      ["assistant", ""],
    ]);
  });

  it("sweeps stale replies to interrupted, sparing live ones", async () => {
    const u = await user();
    const live = await createReply(testAdmission(handle().prisma), u, (await createConversation(handle().prisma, u)).id, "live");
    const dead = await createReply(testAdmission(handle().prisma), u, (await createConversation(handle().prisma, u)).id, "dead");
    const swept = (await sweepStaleReplies(handle().prisma, { staleMs: 0, liveIds: [live.assistantMessage.id] })).interrupted;
    expect(swept).toContain(dead.assistantMessage.id);
    expect(swept).not.toContain(live.assistantMessage.id);
    const row = await handle().prisma.message.findUniqueOrThrow({ where: { id: dead.assistantMessage.id } });
    expect(row.status).toBe("interrupted");
  });

  it("creates a first-visit user once, whatever the concurrency", async () => {
    const id = randomUUID();
    await Promise.all(Array.from({ length: 8 }, () => ensureUser(handle().prisma, id)));
    expect(await handle().prisma.user.count({ where: { id } })).toBe(1);
  });

  it("cascades a conversation delete to its messages", async () => {
    const u = await user();
    const c = await createConversation(handle().prisma, u);
    const { assistantMessage } = await createReply(testAdmission(handle().prisma), u, c.id, "bye");
    await handle().prisma.conversation.delete({ where: { id: c.id } });
    expect(await handle().prisma.message.findUnique({ where: { id: assistantMessage.id } })).toBeNull();
  });
});
