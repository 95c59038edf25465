// Sends that never double (docs/PROTOCOL.md §3.6): a generation start made
// with an idempotency key records which reply it started, in the admission's
// transaction. The same key again from the same user (a double-click, a retry
// after a network error) gets that reply, as it stands, and starts nothing;
// the same key with another request is refused (422). Keys last 24 hours.
import type { Db } from "../platform/db";
import { AppError } from "../errors";
import { toMessage } from "../chat/conversations";
import { withVersions } from "../chat/message-tree";
import type { Message } from "../chat/types";

export type IdempotencyClaim = { key: string; fingerprint: string };
/** What a recorded key started. */
export type PriorStart = { replyId: string; userMessageId: string | null };
/** A start replayed: the reply and its user message as they stand now. */
export type ReplayedStart = { message: Message; seq: number; userMessage?: Message };

export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

type Rows = Pick<Db, "idempotencyKey">;

/** The key was used for a different request (422). */
export const keyMismatch = () => new AppError("idempotency_mismatch", "This Idempotency-Key was already used for a different request.");

const live = (now: number) => ({ gt: new Date(now - IDEMPOTENCY_KEY_TTL_MS) });

/** The start this key made, if any; 422 when the key was used for another request. */
export async function priorStart(db: Rows, userId: string, claim: IdempotencyClaim, now = Date.now()): Promise<PriorStart | null> {
  const row = await db.idempotencyKey.findFirst({ where: { userId, key: claim.key, createdAt: live(now) } });
  if (!row) return null;
  if (row.fingerprint !== claim.fingerprint) throw keyMismatch();
  return { replyId: row.replyId, userMessageId: row.userMessageId };
}

/** Records the start (inside the admission's transaction, so it exists exactly when the reply does). */
export async function recordStart(db: Rows, userId: string, claim: IdempotencyClaim, start: PriorStart, now = Date.now()): Promise<void> {
  // An expired record of the same key gives way.
  await db.idempotencyKey.deleteMany({ where: { userId, key: claim.key, createdAt: { lte: new Date(now - IDEMPOTENCY_KEY_TTL_MS) } } });
  await db.idempotencyKey.create({ data: { userId, key: claim.key, fingerprint: claim.fingerprint, ...start } });
}

/** The recorded start as it stands: the reply at its saved id, and its user message, with their versions as a start shows them. */
export async function replayStart(db: Pick<Db, "message">, prior: PriorStart): Promise<ReplayedStart> {
  const reply = await db.message.findUnique({ where: { id: prior.replyId } });
  if (!reply) throw new AppError("not_found", "message not found");
  const user = prior.userMessageId ? await db.message.findUnique({ where: { id: prior.userMessageId } }) : null;
  const message = await withVersions(db, reply, toMessage);
  return { message, seq: reply.seq, ...(user ? { userMessage: await withVersions(db, user, toMessage) } : {}) };
}

/** Forgets keys older than 24 hours (the periodic sweep). */
export async function forgetExpiredKeys(db: Rows, now = Date.now()): Promise<number> {
  return (await db.idempotencyKey.deleteMany({ where: { createdAt: { lte: new Date(now - IDEMPOTENCY_KEY_TTL_MS) } } })).count;
}
