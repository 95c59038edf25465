// Posting a message and stopping a reply: the rules of SPEC §3 (one reply
// generating per conversation, at most N per user) enforced in one
// transaction that locks the user's row, so concurrent posts cannot race.
import type { Db } from "./db";
import { AppError } from "./errors";
import { toMessage, DEFAULT_TITLE } from "./conversations";
import type { Message } from "./types";
import { getGenerations } from "./generation/registry";
import type { GenerationDeps } from "./generation/generation";

export const MAX_CONTENT_CHARS = 32_000;
export const MAX_ACTIVE_PER_USER = Number(process.env.MAX_ACTIVE_GENERATIONS_PER_USER) || 3;
const ACTIVE = ["pending", "streaming"] as const;

function titleFrom(content: string): string {
  const line = content.trim().split(/\s+/).join(" ");
  const chars = [...line];
  return chars.length <= 60 ? line : chars.slice(0, 59).join("").trimEnd() + "…";
}

export async function createReply(db: Db, userId: string, conversationId: string, content: string) {
  return db.$transaction(async (tx) => {
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
    const isFirst = (await tx.message.count({ where: { conversationId } })) === 0;
    const now = Date.now();
    // Explicit, distinct timestamps keep "oldest first" ordering exact.
    const userRow = await tx.message.create({
      data: { conversationId, role: "user", content, parts: [{ type: "text", text: content }], status: "complete", createdAt: new Date(now) },
    });
    const assistantRow = await tx.message.create({
      data: { conversationId, role: "assistant", content: "", parts: [], status: "pending", createdAt: new Date(now + 1) },
    });
    await tx.conversation.update({
      where: { id: conversationId },
      data: { updatedAt: new Date(now + 1), ...(isFirst && conv.title === DEFAULT_TITLE ? { title: titleFrom(content) } : {}) },
    });
    return { userMessage: toMessage(userRow), assistantMessage: toMessage(assistantRow) };
  });
}

/** Starts the generation of a pending assistant message in this process. */
export function startGeneration(deps: GenerationDeps, messageId: string): Promise<Message> {
  return getGenerations().start(deps, messageId);
}

/**
 * Stops a reply: aborts its live generation and returns the saved message.
 * A reply with no live generation (its process died) is marked interrupted;
 * a finished one is returned as it is.
 */
export async function stopReply(db: Db, messageId: string): Promise<Message> {
  const live = getGenerations().stop(messageId);
  if (live) return live;
  await db.message.updateMany({
    where: { id: messageId, role: "assistant", status: { in: [...ACTIVE] } },
    data: { status: "interrupted", seq: { increment: 1 } },
  });
  const row = await db.message.findUnique({ where: { id: messageId } });
  if (!row) throw new AppError("not_found", "message not found");
  return toMessage(row);
}

/** Stops every reply generating in a conversation (before deleting it). */
export async function stopConversationReplies(db: Db, userId: string, conversationId: string): Promise<void> {
  const active = await db.message.findMany({
    where: { conversationId, conversation: { userId }, role: "assistant", status: { in: [...ACTIVE] } },
    select: { id: true },
  });
  await Promise.all(active.map((m) => stopReply(db, m.id)));
}
