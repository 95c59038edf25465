// What a guest brings into an account when they sign up (or sign in): their
// conversations, and their settings unless the account has its own.
import type { Db } from "../platform/db";
import { GENERATING_STATUSES } from "../reply/status";

type Row = { id: string; mergedIntoId: string | null };

/**
 * Moves a guest's data to an account in one transaction (all or nothing),
 * holding both user rows (the guest's first: lib/auth/data-owner.ts), and
 * marks the guest merged and ends its sessions in the same transaction. The
 * guest's row stays, so a write racing the move lands in the account.
 *
 * `overCap`: the guest's newest generating replies beyond what the account
 * may have generating (`maxActive`), for the caller to stop. Counted under
 * the account's lock, so no reply is admitted while the account is over.
 */
export async function adoptGuestData(
  db: Db,
  guestId: string,
  accountId: string,
  maxActive = Infinity,
): Promise<{ conversations: number; movedIds: string[]; overCap: string[] }> {
  const none = { conversations: 0, movedIds: [], overCap: [] };
  if (guestId === accountId) return none;
  return db.$transaction(async (tx) => {
    const [guest] = await tx.$queryRaw<Row[]>`SELECT id, "mergedIntoId" FROM "User" WHERE id = ${guestId}::uuid FOR UPDATE`;
    await tx.$queryRaw`SELECT id FROM "User" WHERE id = ${accountId}::uuid FOR UPDATE`;
    // Already moved (two sign-ins from one guest at once): nothing is left to move.
    if (!guest || guest.mergedIntoId) return none;
    const generating = (userId: string) =>
      tx.message.findMany({
        where: { conversation: { userId }, role: "assistant", status: { in: [...GENERATING_STATUSES] } },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        select: { id: true },
      });
    const [theirs, ours] = await Promise.all([generating(guestId), generating(accountId)]);
    const room = Math.max(0, maxActive - ours.length);
    const overCap = theirs.slice(0, Math.max(0, theirs.length - room)).map((r) => r.id);
    const movedIds = (await tx.conversation.findMany({ where: { userId: guestId }, select: { id: true } })).map((c) => c.id);
    const moved = await tx.conversation.updateMany({ where: { userId: guestId }, data: { userId: accountId } });
    await tx.attachment.updateMany({ where: { userId: guestId }, data: { userId: accountId } });
    // Its idempotency keys too, so a start retried after signing in attaches (a key the account already used stays the account's).
    const taken = await tx.idempotencyKey.findMany({ where: { userId: accountId }, select: { key: true } });
    await tx.idempotencyKey.deleteMany({ where: { userId: guestId, key: { in: taken.map((k) => k.key) } } });
    await tx.idempotencyKey.updateMany({ where: { userId: guestId }, data: { userId: accountId } });
    // An existing account's settings win: they are what its other browsers use.
    const own = await tx.userSettings.findUnique({ where: { userId: accountId }, select: { userId: true } });
    if (!own) await tx.userSettings.updateMany({ where: { userId: guestId }, data: { userId: accountId } });
    else await tx.userSettings.deleteMany({ where: { userId: guestId } });
    await tx.user.update({ where: { id: guestId }, data: { mergedIntoId: accountId } });
    await tx.session.deleteMany({ where: { userId: guestId } });
    return { conversations: moved.count, movedIds, overCap };
  });
}
