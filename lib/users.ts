import type { Db } from "./db";

/**
 * The session names a user id; its row is created on first use (guests).
 * Several requests of a first visit arrive at once (page, layout, metadata):
 * INSERT … ON CONFLICT DO NOTHING is atomic where find-then-create is not.
 */
export async function ensureUser(db: Db, userId: string): Promise<void> {
  const found = await db.user.findUnique({ where: { id: userId }, select: { id: true } });
  if (found) return;
  await db.user.createMany({ data: [{ id: userId }], skipDuplicates: true });
}
