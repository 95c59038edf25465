// The reply lifecycle: the only code that writes a message's status,
// content, parts, `seq` and `seqCeiling` (a user's message is written once,
// complete; a reply moves through its statuses), and the only code that
// announces a reply's end (`done`) outside a running generation. Admission,
// generation, checkpoints, sweep, resume, Stop and Continue call it. The
// status rules are stated once in status.ts (docs/PROTOCOL.md §1.5, §5); the
// conditions of the writes below follow them.
import type { Db } from "../platform/db";
import { Prisma } from "../generated/prisma/client";
import { toMessage } from "../chat/conversations";
import type { ErrorBody, FilePart, Message, MessageMetadata, MessageStatus, Part } from "../chat/types";
import type { StreamEvent } from "../stream/events";
import { GENERATING_STATUSES, SHUTDOWN_STOP } from "./status";
import { announceReplyEnd, type UserEventSink } from "../events/types";

type Tx = Pick<Db, "message">;
type Rows = Pick<Db, "message" | "$queryRaw" | "$executeRaw">;
type Publish = (messageId: string, events: StreamEvent[]) => void | Promise<void>;

/** A reply's saved state at event id `seq` (a checkpoint or its final state). */
export type CheckpointState = {
  seq: number;
  status: MessageStatus;
  parts: Part[];
  content: string;
  error?: ErrorBody | null;
  metadata?: MessageMetadata;
};

/** Ids are reserved in blocks before they are sent, so a crash never leads to an id being reused. */
export const ID_BLOCK = 1000;

type NewUserMessage = { conversationId: string; parentId: string | null; content: string; createdAt: Date; files?: FilePart[] };

/** A user's message's parts: its text, then its files. */
export const userMessageParts = (content: string, files: FilePart[] = []): Part[] => [{ type: "text", text: content }, ...files];

/** The user's message a reply answers: complete as sent, its text its one part. */
function userMessageData(o: NewUserMessage) {
  return {
    conversationId: o.conversationId,
    parentId: o.parentId,
    role: "user" as const,
    content: o.content,
    parts: userMessageParts(o.content, o.files) as Prisma.InputJsonValue[],
    status: "complete" as const,
    createdAt: o.createdAt,
  };
}

/** A new, empty reply waiting for its generation. */
function pendingReplyData(o: { conversationId: string; parentId: string | null; createdAt: Date; metadata?: MessageMetadata }) {
  return {
    conversationId: o.conversationId,
    parentId: o.parentId,
    role: "assistant" as const,
    content: "",
    parts: [],
    status: "pending" as const,
    createdAt: o.createdAt,
    // Its first block of ids, committed with the row: the generation starts without a write (reserveIdsFor).
    seqCeiling: 1 + ID_BLOCK,
    ...(o.metadata ? { metadata: o.metadata as Prisma.InputJsonValue } : {}),
  };
}

/** A new, empty reply waiting for its generation (inside the admission transaction). */
export function createPendingReply(tx: Tx, o: { conversationId: string; parentId: string | null; createdAt: Date }) {
  return tx.message.create({ data: pendingReplyData(o) });
}

/**
 * A user's message and the pending reply to it; the reply is 1 ms younger, so
 * "oldest first" stays exact. (One multi-row insert returning both rows was
 * measured slower on PostgreSQL than these two: docs/BENCHMARKS.md, Run F.)
 */
export async function createExchange(tx: Tx, o: NewUserMessage & { replyMetadata?: MessageMetadata }) {
  const userRow = await tx.message.create({ data: userMessageData(o) });
  const reply = pendingReplyData({ conversationId: o.conversationId, parentId: userRow.id, createdAt: new Date(o.createdAt.getTime() + 1), metadata: o.replyMetadata });
  return { userRow, assistantRow: await tx.message.create({ data: reply }) };
}

/**
 * Continue: an interrupted or failed reply (as just read, the caller checked
 * it may) becomes pending again, with the next block of ids reserved (the
 * generation then starts without a write); the server may resume it anew.
 */
export function reopenReply(tx: Tx, row: { id: string; seq: number; seqCeiling: number }) {
  const seqCeiling = Math.max(row.seqCeiling, row.seq + 1 + ID_BLOCK);
  return tx.message.update({ where: { id: row.id }, data: { status: "pending", error: Prisma.DbNull, resumeAttempts: 0, seqCeiling } });
}

/** One guarded write: lands only if the row's seq is older (a retried or reordered save changes nothing). */
export async function saveCheckpoint(db: Tx, messageId: string, s: CheckpointState): Promise<boolean> {
  const res = await db.message.updateMany({
    where: { id: messageId, seq: { lt: s.seq } },
    data: {
      seq: s.seq,
      status: s.status,
      parts: s.parts as Prisma.InputJsonValue,
      content: s.content,
      ...(s.error !== undefined ? { error: s.error === null ? Prisma.DbNull : (s.error as Prisma.InputJsonValue) } : {}),
      ...(s.metadata ? { metadata: s.metadata as Prisma.InputJsonValue } : {}),
    },
  });
  return res.count === 1;
}

// The generating statuses in raw SQL: constants from lib/reply/status.ts, never user input.
/** `column IN (…generating statuses)`, as literals: PostgreSQL compares the status enum with untyped literals only. */
export const generatingSql = (column = "status") => Prisma.raw(`${column} IN (${GENERATING_STATUSES.map((s) => `'${s}'`).join(", ")})`);
const GENERATING_SQL = generatingSql();

/** Raises the id ceiling so ids up to `needed + ID_BLOCK` may be sent; returns the new ceiling. */
export async function reserveIds(db: Tx, messageId: string, needed: number): Promise<number> {
  const ceiling = needed + ID_BLOCK;
  await db.message.updateMany({ where: { id: messageId, seqCeiling: { lt: ceiling } }, data: { seqCeiling: ceiling } });
  return ceiling;
}

/** reserveIds for a row as it was just read: no write when its committed ceiling already covers the block. */
export function reserveIdsFor(db: Tx, row: { id: string; seqCeiling: number }, needed: number): Promise<number> {
  const ceiling = needed + ID_BLOCK;
  return row.seqCeiling >= ceiling ? Promise.resolve(ceiling) : reserveIds(db, row.id, needed);
}

/**
 * Ends a reply nobody generates any more (its process died, or it could not
 * start): still generating (and, with `cutoff`, quiet since then) →
 * `status`. Its seq jumps above every id the dead run could have sent, so a
 * later Continue never reuses one. `stopReason` replaces the saved one (a
 * user's Stop on an orphan must not read as a shutdown the server resumes).
 * Returns the new seq, or null if the row was not generating.
 */
export async function endOrphan(
  db: Rows,
  messageId: string,
  status: "interrupted" | "failed",
  o: { cutoff?: Date; error?: ErrorBody; stopReason?: string | null } = {},
): Promise<number | null> {
  const error = o.error ? JSON.stringify(o.error) : null;
  const quiet = o.cutoff ? Prisma.sql`AND "updatedAt" <= ${o.cutoff}` : Prisma.empty;
  const reason = o.stopReason !== undefined ? Prisma.sql`, metadata = jsonb_set(metadata, '{stopReason}', ${JSON.stringify(o.stopReason)}::jsonb)` : Prisma.empty;
  const rows = await db.$queryRaw<{ seq: number }[]>`UPDATE "Message"
    SET status = ${status}::"MessageStatus", seq = GREATEST(seq, "seqCeiling") + 1, "updatedAt" = now(), error = COALESCE(${error}::jsonb, error) ${reason}
    WHERE id = ${messageId}::uuid AND ${GENERATING_SQL} ${quiet} RETURNING seq`;
  return rows.length === 1 ? rows[0].seq : null;
}

/** Replies left generating and quiet since `cutoff`, except those this process runs. */
export async function staleReplyIds(db: Tx, cutoff: Date, liveIds: string[]): Promise<string[]> {
  const rows = await db.message.findMany({
    where: {
      role: "assistant",
      status: { in: [...GENERATING_STATUSES] },
      updatedAt: { lte: cutoff },
      ...(liveIds.length ? { id: { notIn: liveIds } } : {}),
    },
    select: { id: true },
    take: 1000,
  });
  return rows.map((r) => r.id);
}

/**
 * An Inngest retry takes over a reply whose generation died: one statement
 * decides (still generating and quiet since `cutoff`). The row is left
 * `streaming` with `seq` at the dead run's id ceiling. Returns that seq, or
 * null when someone else may still own it (or it ended).
 */
export async function claimQuietReply(db: Rows, messageId: string, cutoff: Date): Promise<number | null> {
  const rows = await db.$queryRaw<{ seq: number }[]>`UPDATE "Message"
    SET status = 'streaming', seq = GREATEST(seq, "seqCeiling"), "updatedAt" = now()
    WHERE id = ${messageId}::uuid AND role = 'assistant' AND ${GENERATING_SQL} AND "updatedAt" <= ${cutoff}
    RETURNING seq`;
  return rows.length === 1 ? rows[0].seq : null;
}

/** A reply a shutdown stopped (docs/PROTOCOL.md §5.5): the server may resume it. */
const SHUTDOWN_STOPPED_SQL = Prisma.sql`(status = 'interrupted' AND metadata->>'stopReason' = ${SHUTDOWN_STOP})`;
/** The reply's owner has not turned auto-resume off (settings; no settings row means on). */
const OWNER_RESUMES_SQL = Prisma.sql`NOT EXISTS (SELECT 1 FROM "Conversation" c JOIN "UserSettings" s ON s."userId" = c."userId"
  WHERE c.id = "Message"."conversationId" AND NOT s."autoResume")`;

/**
 * Auto-resume takes over a reply a crash or a restart cut short (docs/PROTOCOL.md
 * §5.5): still generating and quiet since `cutoff`, or `interrupted` by a
 * shutdown, resumed fewer than `maxAttempts` times, and its owner has not
 * turned auto-resume off (settings). One statement decides,
 * so two sweeping instances never both resume it. The row becomes `resuming`
 * with `seq` at the dead run's id ceiling. Returns the row, or null.
 */
export async function claimForResume(db: Rows, messageId: string, cutoff: Date, maxAttempts: number) {
  const rows = await db.$queryRaw<{ id: string }[]>`UPDATE "Message"
    SET status = 'resuming', seq = GREATEST(seq, "seqCeiling"), "resumeAttempts" = "resumeAttempts" + 1, "updatedAt" = now(), error = NULL
    WHERE id = ${messageId}::uuid AND role = 'assistant' AND "resumeAttempts" < ${maxAttempts}
      AND ((${GENERATING_SQL} AND "updatedAt" <= ${cutoff}) OR ${SHUTDOWN_STOPPED_SQL}) AND ${OWNER_RESUMES_SQL}
    RETURNING id`;
  if (rows.length !== 1) return null;
  return db.message.findUnique({ where: { id: messageId }, include: { conversation: { select: { userId: true } } } });
}

/** Replies a shutdown stopped that claimForResume would take (by the same conditions), so a sweep offers no others. */
export async function shutdownStoppedIds(db: Rows, maxAttempts: number): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`SELECT id::text AS id FROM "Message"
    WHERE role = 'assistant' AND "resumeAttempts" < ${maxAttempts} AND ${SHUTDOWN_STOPPED_SQL} AND ${OWNER_RESUMES_SQL}
    LIMIT 1000`;
  return rows.map((r) => r.id);
}

/** Keeps this process's live replies fresh, so other instances do not judge them stale. */
export async function touchLiveReplies(db: Tx, ids: string[]): Promise<void> {
  if (!ids.length) return;
  await db.message.updateMany({ where: { id: { in: ids }, status: { in: [...GENERATING_STATUSES] } }, data: { updatedAt: new Date() } });
}

/** How many of a user's replies are generating, in all and in one of their conversations (one query). */
export async function generatingCounts(db: Tx, userId: string, conversationId: string): Promise<{ here: number; total: number }> {
  const groups = await db.message.groupBy({
    by: ["conversationId"],
    where: { conversation: { userId }, role: "assistant", status: { in: [...GENERATING_STATUSES] } },
    _count: { _all: true },
  });
  let total = 0;
  let here = 0;
  for (const g of groups) {
    total += g._count._all;
    if (g.conversationId === conversationId) here = g._count._all;
  }
  return { here, total };
}

/** How many replies are generating in a conversation, or for a user. */
export function countGenerating(db: Tx, where: { conversationId: string } | { userId: string }): Promise<number> {
  const scope = "conversationId" in where ? { conversationId: where.conversationId } : { conversation: { userId: where.userId } };
  return db.message.count({ where: { ...scope, role: "assistant", status: { in: [...GENERATING_STATUSES] } } });
}

/** The generating replies of a user's conversation. */
export async function generatingIn(db: Tx, userId: string, conversationId: string): Promise<string[]> {
  const rows = await db.message.findMany({
    where: { conversationId, conversation: { userId }, role: "assistant", status: { in: [...GENERATING_STATUSES] } },
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

/**
 * Tells every stream still following these replies (any tab, any instance)
 * that they ended, with their saved final state as `done` at their saved seq,
 * and their owners' event streams.
 */
export async function announceEnds(db: Tx, publish: Publish, ids: string[], events?: UserEventSink): Promise<Message[]> {
  if (!ids.length) return [];
  const rows = await db.message.findMany({ where: { id: { in: ids } }, include: { conversation: { select: { userId: true } } } });
  const messages: Message[] = [];
  for (const row of rows) {
    const message = toMessage(row);
    messages.push(message);
    await publish(row.id, [{ id: row.seq, event: "done", data: { message } }]);
    announceReplyEnd(events, row.conversation.userId, message);
  }
  return messages;
}
