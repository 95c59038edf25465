// Posting a message and stopping a reply: the rules of SPEC §3 (one reply
// generating per conversation, at most N per user) enforced in one
// transaction that locks the user's row, so concurrent posts cannot race.
import type { Db } from "../platform/db";
import { Prisma } from "../generated/prisma/client";
import { AppError } from "../errors";
import { toMessage, DEFAULT_TITLE } from "../chat/conversations";
import { currentLeaf } from "../chat/message-tree";
import type { Message } from "../chat/types";
import { getGenerations } from "./registry";
import { interruptOrphan } from "./sweep";
import { refuseWhileDraining } from "../platform/shutdown";
import { getReplyControl } from "../stream/control";
import { getStreamBus } from "../stream";
import { awaitFinalMessage } from "../stream/final-message";
import { enforceMessageRate } from "../platform/rate-limit";

export const MAX_CONTENT_CHARS = 32_000;
/** SPEC §3: non-empty after trimming (400), at most 32,000 code points (413); stored as sent. */
export function requireContent(content: string): string {
  if (content.trim() === "") throw new AppError("invalid_input", "content must not be empty");
  if ([...content].length > MAX_CONTENT_CHARS) throw new AppError("too_large", `content must be at most ${MAX_CONTENT_CHARS} characters`);
  return content;
}

export const MAX_ACTIVE_PER_USER = Number(process.env.MAX_ACTIVE_GENERATIONS_PER_USER) || 3;
const ACTIVE = ["pending", "streaming"] as const;
// Under a burst, admissions queue for the user lock and pool connections:
// wait for them rather than fail (a 503 comes only past these limits).
export const ADMIT_TX = { maxWait: 15_000, timeout: 20_000 };

function titleFrom(content: string): string {
  const line = content.trim().split(/\s+/).join(" ");
  const chars = [...line];
  return chars.length <= 60 ? line : chars.slice(0, 59).join("").trimEnd() + "…";
}

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/**
 * Every generation start (post, Continue, edit, regenerate): the user's
 * request rate first (429 before any lock, write or pooled connection is
 * held), then `admit` in one transaction, which calls admitGeneration.
 */
export async function withAdmission<T>(db: Db, userId: string, admit: (tx: Tx) => Promise<T>): Promise<T> {
  await enforceMessageRate(userId);
  return db.$transaction(admit, ADMIT_TX);
}

/** Inside a transaction: lock the user, then enforce the generation limits. */
export async function admitGeneration(tx: Tx, userId: string, conversationId: string) {
  refuseWhileDraining();
  // Serializes this user's posts (PostgreSQL row lock; PGlite is single-writer anyway).
  await tx.$queryRaw`SELECT id FROM "User" WHERE id = ${userId}::uuid FOR UPDATE`;
  const conv = await tx.conversation.findFirst({ where: { id: conversationId, userId } });
  if (!conv) throw new AppError("not_found", "conversation not found");
  const busyHere = await tx.message.count({ where: { conversationId, role: "assistant", status: { in: [...ACTIVE] } } });
  if (busyHere > 0) throw new AppError("generation_in_progress", "A reply is already being generated in this conversation.");
  const busyForUser = await tx.message.count({ where: { conversation: { userId }, role: "assistant", status: { in: [...ACTIVE] } } });
  if (busyForUser >= MAX_ACTIVE_PER_USER) {
    throw new AppError("too_many_generations", `At most ${MAX_ACTIVE_PER_USER} replies can be generated at once.`, { "Retry-After": "5" });
  }
  return conv;
}

export async function createReply(db: Db, userId: string, conversationId: string, content: string) {
  return withAdmission(db, userId, async (tx) => {
    const conv = await admitGeneration(tx, userId, conversationId);
    // The new message follows the path the conversation shows.
    const parentId = await currentLeaf(tx, conv);
    const isFirst = parentId === null;
    const now = Date.now();
    // Explicit, distinct timestamps keep "oldest first" ordering exact.
    const userRow = await tx.message.create({
      data: { conversationId, parentId, role: "user", content, parts: [{ type: "text", text: content }], status: "complete", createdAt: new Date(now) },
    });
    const assistantRow = await tx.message.create({
      data: { conversationId, parentId: userRow.id, role: "assistant", content: "", parts: [], status: "pending", createdAt: new Date(now + 1) },
    });
    await tx.conversation.update({
      where: { id: conversationId },
      data: {
        currentLeafId: assistantRow.id,
        updatedAt: new Date(now + 1),
        ...(isFirst && conv.title === DEFAULT_TITLE && !conv.titleLocked ? { title: titleFrom(content) } : {}),
      },
    });
    return { userMessage: toMessage(userRow), assistantMessage: toMessage(assistantRow) };
  });
}

/**
 * Stops a reply: aborts its live generation and returns the saved message.
 * A reply with no live generation (its process died) is marked interrupted;
 * a finished one is returned as it is.
 */
export async function stopReply(db: Db, messageId: string): Promise<Message> {
  const live = getGenerations().stop(messageId);
  if (live) return live;
  const control = getReplyControl();
  if (control.distributed) {
    const row = await db.message.findUnique({ where: { id: messageId } });
    if (row && (row.status === "pending" || row.status === "streaming")) {
      // Another instance may run it: ask, and wait for its final message.
      const timeout = AbortSignal.timeout(Number(process.env.REMOTE_STOP_WAIT_MS) || 3_000);
      const final = awaitFinalMessage({ db, bus: getStreamBus() }, messageId, null, timeout);
      await control.requestStop(messageId);
      const stopped = await final.catch(() => null);
      if (stopped && stopped.status !== "pending" && stopped.status !== "streaming") return stopped;
    }
  }
  // Nobody runs it (its process died): the saved partial is all there is.
  const orphaned = await interruptOrphan(db, messageId);
  const row = await db.message.findUnique({ where: { id: messageId } });
  if (!row) throw new AppError("not_found", "message not found");
  const message = toMessage(row);
  // Streams still following it (any tab, any instance) end with it, instead of waiting.
  if (orphaned) getStreamBus().publish(messageId, [{ id: row.seq, event: "done", data: { message } }]);
  return message;
}

/** Stops every reply generating in a conversation (before deleting it). */
export async function stopConversationReplies(db: Db, userId: string, conversationId: string): Promise<void> {
  const active = await db.message.findMany({
    where: { conversationId, conversation: { userId }, role: "assistant", status: { in: [...ACTIVE] } },
    select: { id: true },
  });
  await Promise.all(active.map((m) => stopReply(db, m.id)));
}

/**
 * Continue: an interrupted or failed reply becomes pending again and the next
 * generation appends to it. Only the last message of the shown path can be
 * continued (anything after it would be answered out of order).
 */
export async function continueReply(db: Db, userId: string, messageId: string): Promise<{ message: Message; seq: number }> {
  return withAdmission(db, userId, async (tx) => {
    const row = await tx.message.findFirst({ where: { id: messageId, conversation: { userId } } });
    if (!row) throw new AppError("not_found", "message not found");
    const conv = await admitGeneration(tx, userId, row.conversationId);
    const fresh = await tx.message.findUniqueOrThrow({ where: { id: messageId } });
    if (fresh.role !== "assistant" || (fresh.status !== "interrupted" && fresh.status !== "failed")) {
      throw new AppError("not_resumable", `Only an interrupted or failed reply can be continued (this one is ${fresh.status}).`);
    }
    if ((await currentLeaf(tx, conv)) !== fresh.id) throw new AppError("not_resumable", "Only the latest reply of a conversation can be continued.");
    const updated = await tx.message.update({
      where: { id: messageId },
      data: { status: "pending", error: Prisma.DbNull },
    });
    await tx.conversation.update({ where: { id: fresh.conversationId }, data: { updatedAt: new Date() } });
    return { message: toMessage(updated), seq: updated.seq };
  });
}
