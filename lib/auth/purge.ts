// Purging what nobody can reach any more: sessions past their expiry, guests
// without a live session (a guest's only key is its session cookie, so their
// data is unreachable), and guests that never created a conversation and
// have been idle a short while (GUEST_EMPTY_TTL_H: the bulk that bots and
// cookieless visits create). A guest's conversations, messages and settings
// go with it (ON DELETE CASCADE, prisma/schema.prisma); accounts only lose
// expired sessions. Run by the server's periodic timer (lib/platform/
// server-start.ts) and by the Inngest cron function (inngest/functions.ts):
// the deletes are idempotent, so both running is harmless.
import type { Db } from "../platform/db";
import type { Prisma } from "../generated/prisma/client";
import { log } from "../platform/log";
import { GENERATING_STATUSES } from "../reply/status";

export type PurgeOptions = {
  /** A guest with no conversation and no session created or refreshed for this long is deleted. */
  emptyGuestTtlMs: number;
  /** Rows per delete: each batch is its own short statement, so a backlog never holds a long transaction. */
  batchSize?: number;
  now?: Date;
  /** Told of the users deleted (every instance's session cache forgets them: lib/auth/session-cache.ts). */
  forgetUsers?: (userIds: string[]) => Promise<void>;
};

export type PurgeResult = { sessions: number; guests: number; emptyGuests: number };

/**
 * A guest younger than this is left alone whatever its sessions: the auth
 * library writes the user first and its session just after.
 */
export const NEW_GUEST_GRACE_MS = 3_600_000;
const SESSION_BATCH = 1_000;
/** Smaller: each user deleted takes its conversations and messages with it. */
const USER_BATCH = 100;

/** A guest with a reply generating (pending, streaming or resuming) is never deleted, whatever else holds. */
const notGenerating: Prisma.UserWhereInput = {
  conversations: { none: { messages: { some: { status: { in: [...GENERATING_STATUSES] } } } } },
};

export async function purgeIdle(db: Db, o: PurgeOptions): Promise<PurgeResult> {
  const now = o.now ?? new Date();
  const sessions = await inBatches(o.batchSize ?? SESSION_BATCH, async (take) => {
    const expired = { expiresAt: { lte: now } };
    const ids = (await db.session.findMany({ where: expired, select: { id: true }, take })).map((r) => r.id);
    if (!ids.length) return { found: 0, deleted: 0 };
    return { found: ids.length, deleted: (await db.session.deleteMany({ where: { ...expired, id: { in: ids } } })).count };
  });
  const abandoned: Prisma.UserWhereInput = {
    AND: [{ isAnonymous: true, createdAt: { lt: new Date(now.getTime() - NEW_GUEST_GRACE_MS) }, sessions: { none: { expiresAt: { gt: now } } } }, notGenerating],
  };
  const guests = await deleteUsers(db, abandoned, o.batchSize ?? USER_BATCH, o.forgetUsers);
  const idleSince = new Date(now.getTime() - o.emptyGuestTtlMs);
  const empty: Prisma.UserWhereInput = {
    AND: [{ isAnonymous: true, createdAt: { lt: idleSince }, conversations: { none: {} }, sessions: { none: { updatedAt: { gt: idleSince } } } }, notGenerating],
  };
  const emptyGuests = await deleteUsers(db, empty, o.batchSize ?? USER_BATCH, o.forgetUsers);
  const result = { sessions, guests, emptyGuests };
  if (sessions + guests + emptyGuests > 0) log.info({ component: "purge", ...result }, "purged expired sessions and idle guests");
  return result;
}

/** Deletes the users matching `where`, `take` at a time; the delete checks `where` again, so a user that changed meanwhile stays. */
function deleteUsers(db: Db, where: Prisma.UserWhereInput, take: number, forget?: (userIds: string[]) => Promise<void>): Promise<number> {
  return inBatches(take, async (n) => {
    const ids = (await db.user.findMany({ where, select: { id: true }, take: n })).map((r) => r.id);
    if (!ids.length) return { found: 0, deleted: 0 };
    const { count } = await db.user.deleteMany({ where: { AND: [where, { id: { in: ids } }] } });
    await forget?.(ids); // those that stayed are verified again: harmless
    return { found: ids.length, deleted: count };
  });
}

/** Runs `step` until a batch comes back short (or deletes nothing, so a row that cannot be deleted never loops); returns the total deleted. */
async function inBatches(take: number, step: (take: number) => Promise<{ found: number; deleted: number }>): Promise<number> {
  let total = 0;
  for (;;) {
    const { found, deleted } = await step(take);
    total += deleted;
    if (found < take || deleted === 0) return total;
  }
}
