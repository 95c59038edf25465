import type { Db } from "./db";

/** The session names a user id; its row is created on first use (guests). */
export async function ensureUser(db: Db, userId: string): Promise<void> {
  const found = await db.user.findUnique({ where: { id: userId }, select: { id: true } });
  if (found) return;
  await db.user.upsert({ where: { id: userId }, create: { id: userId }, update: {} });
}
