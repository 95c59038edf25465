// Each write of the reply lifecycle, on both databases: what it changes, and
// what it must leave alone (other rows, other statuses, older seqs).
import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import type { MessageStatus } from "../chat/types";
import type { StreamEvent } from "../stream/events";
import { bothDatabases, servedEmbedded, useDatabase } from "../testing/databases";
import * as life from "./lifecycle";

const backends = [...bothDatabases("lifecycle"), servedEmbedded()];
const HOUR = 3_600_000;

describe.each(backends)("reply lifecycle on %s", (_name, open, dispose) => {
  const handle = useDatabase(open, dispose);
  const db = () => handle().prisma;

  async function conversation(userId = randomUUID()) {
    await db().user.upsert({ where: { id: userId }, create: { id: userId }, update: {} });
    return db().conversation.create({ data: { userId, title: "t" } });
  }
  async function reply(conversationId: string, o: { status?: MessageStatus; seq?: number; seqCeiling?: number; role?: "user" | "assistant"; updatedAt?: Date } = {}) {
    const row = await db().message.create({
      data: {
        conversationId,
        role: o.role ?? "assistant",
        status: o.status ?? "streaming",
        seq: o.seq ?? 0,
        seqCeiling: o.seqCeiling ?? 0,
        error: { code: "old", message: "kept" },
      },
    });
    // Prisma sets updatedAt itself on create: backdate it with a raw write.
    if (o.updatedAt) await db().$executeRaw`UPDATE "Message" SET "updatedAt" = ${o.updatedAt} WHERE id = ${row.id}::uuid`;
    return row.id;
  }
  const row = (id: string) => db().message.findUniqueOrThrow({ where: { id } });

  it("creates the user's message complete, its text its one part, and an empty pending reply 1 ms after it", async () => {
    const c = await conversation();
    const at = new Date("2026-01-02T03:04:05.678Z");
    const { userRow: user, assistantRow: pending } = await life.createExchange(db(), { conversationId: c.id, parentId: null, content: "é👍\n\nid: 1", createdAt: at });
    expect(await row(user.id)).toMatchObject({
      role: "user",
      status: "complete",
      content: "é👍\n\nid: 1",
      parts: [{ type: "text", text: "é👍\n\nid: 1" }],
      parentId: null,
      createdAt: at,
    });
    expect(await row(pending.id)).toMatchObject({
      role: "assistant",
      status: "pending",
      content: "",
      parts: [],
      parentId: user.id,
      createdAt: new Date(at.getTime() + 1),
      seq: 0,
    });
  });

  it("reopens a reply as pending with its error cleared and its next block of ids reserved", async () => {
    const id = await reply((await conversation()).id, { status: "failed" });
    await db().message.update({ where: { id }, data: { seq: 40, seqCeiling: 1001 } });
    await life.reopenReply(db(), await row(id));
    expect(await row(id)).toMatchObject({ status: "pending", error: null, seq: 40, seqCeiling: 41 + life.ID_BLOCK });
    // A ceiling already higher stays.
    await db().message.update({ where: { id }, data: { status: "failed", seqCeiling: 5000 } });
    await life.reopenReply(db(), await row(id));
    expect(await row(id)).toMatchObject({ status: "pending", seqCeiling: 5000 });
  });

  it("saves a checkpoint's text, status, error and metadata only when its seq is newer", async () => {
    const id = await reply((await conversation()).id);
    const parts = [{ type: "text" as const, text: "ab" }];
    expect(await life.saveCheckpoint(db(), id, { seq: 2, status: "streaming", parts, content: "ab" })).toBe(true);
    expect(await row(id)).toMatchObject({ seq: 2, content: "ab", parts, error: { code: "old" }, metadata: {} }); // no error or metadata given: kept
    const error = { code: "upstream_error", message: "x" };
    expect(await life.saveCheckpoint(db(), id, { seq: 3, status: "failed", parts, content: "ab", error, metadata: { model: "m" } })).toBe(true);
    expect(await row(id)).toMatchObject({ seq: 3, status: "failed", error, metadata: { model: "m" } });
    expect(await life.saveCheckpoint(db(), id, { seq: 4, status: "complete", parts, content: "ab", error: null })).toBe(true);
    expect(await row(id)).toMatchObject({ status: "complete", error: null, metadata: { model: "m" } });
    // SQL NULL, not JSON null: endOrphan's COALESCE keeps an error only if there is one.
    expect(await db().$queryRaw`SELECT error IS NULL AS "none" FROM "Message" WHERE id = ${id}::uuid`).toEqual([{ none: true }]);
    expect(await life.saveCheckpoint(db(), id, { seq: 4, status: "streaming", parts: [], content: "" })).toBe(false);
    expect(await row(id)).toMatchObject({ seq: 4, status: "complete", content: "ab" });
  });

  it("reserves ids a block ahead and never lowers the ceiling", async () => {
    const id = await reply((await conversation()).id);
    expect(await life.reserveIds(db(), id, 5)).toBe(5 + life.ID_BLOCK);
    expect((await row(id)).seqCeiling).toBe(5 + life.ID_BLOCK);
    await life.reserveIds(db(), id, 2);
    expect((await row(id)).seqCeiling).toBe(5 + life.ID_BLOCK);
  });

  it("ends an orphan above every id its run could have sent, keeping or setting its error, and only if generating", async () => {
    const c = await conversation();
    const a = await reply(c.id, { seq: 7, seqCeiling: 1007 });
    expect(await life.endOrphan(db(), a, "interrupted")).toBe(1008);
    expect(await row(a)).toMatchObject({ status: "interrupted", seq: 1008, error: { code: "old" } });
    expect(await life.endOrphan(db(), a, "failed")).toBeNull(); // no longer generating
    const b = await reply(c.id, { status: "pending", seq: 9, seqCeiling: 0 });
    const error = { code: "start_failed", message: "could not start" };
    expect(await life.endOrphan(db(), b, "failed", { error })).toBe(10);
    expect(await row(b)).toMatchObject({ status: "failed", error });
    for (const status of ["complete", "interrupted", "failed"] as const) {
      const done = await reply(c.id, { status });
      expect(await life.endOrphan(db(), done, "interrupted")).toBeNull();
      expect((await row(done)).status).toBe(status);
    }
  });

  it("with a cutoff, ends only an orphan quiet since then", async () => {
    const c = await conversation();
    const now = Date.now();
    const quiet = await reply(c.id, { updatedAt: new Date(now - 2 * HOUR) });
    const busy = await reply(c.id, { updatedAt: new Date(now) });
    const cutoff = new Date(now - HOUR);
    expect(await life.endOrphan(db(), busy, "interrupted", { cutoff })).toBeNull();
    expect((await row(busy)).status).toBe("streaming");
    expect(await life.endOrphan(db(), quiet, "interrupted", { cutoff })).toBe(1);
    expect(await row(quiet)).toMatchObject({ status: "interrupted", error: { code: "old" } });
    const error = { code: "stale", message: "quiet too long" };
    const quietToo = await reply(c.id, { updatedAt: new Date(now - 2 * HOUR) });
    expect(await life.endOrphan(db(), quietToo, "failed", { cutoff, error })).toBe(1);
    expect(await row(quietToo)).toMatchObject({ status: "failed", error });
    const exact = await reply(c.id, { updatedAt: cutoff });
    expect(await life.endOrphan(db(), exact, "interrupted", { cutoff })).toBe(1); // quiet since exactly the cutoff counts
  });

  it("finds stale replies: generating, assistant, quiet since the cutoff, not run here", async () => {
    const c = await conversation();
    const old = new Date(Date.now() - 2 * HOUR);
    const cutoff = new Date(Date.now() - HOUR);
    const stale = await reply(c.id, { updatedAt: old });
    const pending = await reply(c.id, { status: "pending", updatedAt: cutoff });
    const live = await reply(c.id, { updatedAt: old });
    const others = [
      await reply(c.id, { updatedAt: new Date() }),
      await reply(c.id, { status: "complete", updatedAt: old }),
      await reply(c.id, { role: "user", updatedAt: old }),
    ];
    // Other tests' rows share this database: look only at this test's.
    const mine = new Set([stale, pending, live, ...others]);
    const found = async (liveIds: string[]) => new Set((await life.staleReplyIds(db(), cutoff, liveIds)).filter((id) => mine.has(id)));
    expect(await found([live])).toEqual(new Set([stale, pending]));
    expect(await found([])).toEqual(new Set([stale, pending, live]));
  });

  it("lets a retry claim a quiet reply at its id ceiling, once", async () => {
    const c = await conversation();
    const old = new Date(Date.now() - 2 * HOUR);
    const cutoff = new Date(Date.now() - HOUR);
    const id = await reply(c.id, { status: "pending", seq: 4, seqCeiling: 1004, updatedAt: old });
    expect(await life.claimQuietReply(db(), id, cutoff)).toBe(1004);
    expect(await row(id)).toMatchObject({ status: "streaming", seq: 1004 });
    expect(await life.claimQuietReply(db(), id, cutoff)).toBeNull(); // just touched: no longer quiet
    const fresh = await reply(c.id, { updatedAt: new Date() });
    expect(await life.claimQuietReply(db(), fresh, cutoff)).toBeNull();
    const user = await reply(c.id, { role: "user", updatedAt: old });
    expect(await life.claimQuietReply(db(), user, cutoff)).toBeNull();
    const ended = await reply(c.id, { status: "interrupted", updatedAt: old });
    expect(await life.claimQuietReply(db(), ended, cutoff)).toBeNull();
  });

  it("touches only the generating replies it is given", async () => {
    const c = await conversation();
    const old = new Date(Date.now() - 2 * HOUR);
    const live = await reply(c.id, { updatedAt: old });
    const ended = await reply(c.id, { status: "complete", updatedAt: old });
    const other = await reply(c.id, { updatedAt: old });
    await life.touchLiveReplies(db(), [live, ended]);
    await life.touchLiveReplies(db(), []);
    expect((await row(live)).updatedAt.getTime()).toBeGreaterThan(old.getTime());
    expect((await row(ended)).updatedAt).toEqual(old);
    expect((await row(other)).updatedAt).toEqual(old);
  });

  it("counts and lists generating replies per conversation and per user, never another user's", async () => {
    const owner = randomUUID();
    const c = await conversation(owner);
    const c2 = await conversation(owner);
    const other = await conversation();
    const a = await reply(c.id);
    const b = await reply(c.id, { status: "pending" });
    await reply(c.id, { status: "complete" });
    await reply(c.id, { role: "user" });
    await reply(c2.id);
    await reply(other.id);
    expect(await life.countGenerating(db(), { conversationId: c.id })).toBe(2);
    expect(await life.countGenerating(db(), { userId: owner })).toBe(3);
    expect(new Set(await life.generatingIn(db(), owner, c.id))).toEqual(new Set([a, b]));
    expect(await life.generatingIn(db(), other.userId, c.id)).toEqual([]);
  });

  it("announces each reply's end as `done` at its saved seq, with its saved state", async () => {
    const c = await conversation();
    const a = await reply(c.id, { status: "interrupted", seq: 12 });
    const b = await reply(c.id, { status: "complete", seq: 3 });
    await reply(c.id, { status: "complete", seq: 5 }); // not asked about: not announced
    const sent: [string, StreamEvent[]][] = [];
    const messages = await life.announceEnds(db(), (id, events) => void sent.push([id, events]), [a, b]);
    expect(new Set(messages.map((m) => m.id))).toEqual(new Set([a, b]));
    const byId = new Map(sent);
    expect(byId.get(a)).toEqual([{ id: 12, event: "done", data: { message: messages.find((m) => m.id === a) } }]);
    expect(byId.get(b)?.[0]).toMatchObject({ id: 3, event: "done", data: { message: { id: b, status: "complete" } } });
    expect(await life.announceEnds(db(), () => void sent.push(["none", []]), [])).toEqual([]);
    expect(sent).toHaveLength(2);
  });
});
