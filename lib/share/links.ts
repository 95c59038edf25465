// A conversation's public, read-only link (docs/PROTOCOL.md §3.7). The owner
// creates (at most one per conversation) and revokes it; a viewer holds only
// the token. A revocation, like deleting the conversation, is announced on the
// owner's event stream, which is what ends open viewers (watch.ts).
import { randomBytes } from "node:crypto";
import type { Db } from "../platform/db";
import { AppError } from "../errors";
import { requireConversation } from "../chat/conversations";
import type { UserEventSink } from "../events/types";

/** 32 random bytes, base64url. */
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

export type ShareLink = { token: string; createdAt: string };
/** What a token opens: the conversation and its owner (never sent to the viewer). */
export type SharedConversation = { conversationId: string; ownerId: string };

const toLink = (row: { token: string; createdAt: Date }): ShareLink => ({ token: row.token, createdAt: row.createdAt.toISOString() });

/** The conversation's link, or null. Another user's conversation: 404. */
export async function getShareLink(db: Db, userId: string, conversationId: string): Promise<ShareLink | null> {
  await requireConversation(db, userId, conversationId);
  const row = await db.shareLink.findUnique({ where: { conversationId } });
  return row ? toLink(row) : null;
}

/** The conversation's link, made now unless it has one (`created` says which). */
export async function createShareLink(db: Db, userId: string, conversationId: string, events?: UserEventSink): Promise<{ link: ShareLink; created: boolean }> {
  await requireConversation(db, userId, conversationId);
  const token = randomBytes(32).toString("base64url");
  // One statement: two concurrent shares of one conversation end with one link,
  // and one deleted meanwhile gets none (it is not found below).
  const inserted = await db.$executeRaw`INSERT INTO "ShareLink" (token, "conversationId")
    SELECT ${token}, id FROM "Conversation" WHERE id = ${conversationId}::uuid AND "userId" = ${userId}::uuid
    ON CONFLICT ("conversationId") DO NOTHING`.catch((e: unknown) => {
    // Deleted between the read and the insert's key check (PostgreSQL: foreign_key_violation).
    if (String((e as { message?: string })?.message).includes("23503")) return 0;
    throw e;
  });
  const row = await db.shareLink.findUnique({ where: { conversationId } });
  if (!row) throw new AppError("not_found", "conversation not found");
  if (inserted === 1) events?.publish(userId, { event: "conversation.shared", data: { conversationId, shared: true } });
  return { link: toLink(row), created: inserted === 1 };
}

/** Revokes the link: 404 for its viewers from now on, and open ones are ended. Not shared: nothing to do. */
export async function revokeShareLink(db: Db, userId: string, conversationId: string, events?: UserEventSink): Promise<void> {
  await requireConversation(db, userId, conversationId);
  const { count } = await db.shareLink.deleteMany({ where: { conversationId } });
  if (count > 0) events?.publish(userId, { event: "conversation.shared", data: { conversationId, shared: false } });
}

/** What a token opens, or 404: malformed, unknown and revoked tokens alike. */
export async function resolveShareToken(db: Db, token: string): Promise<SharedConversation> {
  if (!TOKEN_RE.test(token)) throw new AppError("not_found", "shared conversation not found");
  const row = await db.shareLink.findUnique({ where: { token }, select: { conversationId: true, conversation: { select: { userId: true } } } });
  if (!row) throw new AppError("not_found", "shared conversation not found");
  return { conversationId: row.conversationId, ownerId: row.conversation.userId };
}
