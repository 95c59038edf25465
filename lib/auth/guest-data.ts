// What a guest brings into an account when they sign up (or sign in):
// their conversations, and their settings unless the account has its own.
import type { Db } from "../platform/db";

/** Moves a guest's data to an account in one transaction (all or nothing). */
export async function adoptGuestData(db: Db, guestId: string, accountId: string): Promise<{ conversations: number }> {
  if (guestId === accountId) return { conversations: 0 };
  return db.$transaction(async (tx) => {
    const moved = await tx.conversation.updateMany({ where: { userId: guestId }, data: { userId: accountId } });
    // An existing account's settings win: they are what its other browsers use.
    const own = await tx.userSettings.findUnique({ where: { userId: accountId }, select: { userId: true } });
    if (!own) await tx.userSettings.updateMany({ where: { userId: guestId }, data: { userId: accountId } });
    return { conversations: moved.count };
  });
}
