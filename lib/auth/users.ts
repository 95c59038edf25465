import type { Db } from "../platform/db";

/**
 * A user row with just an id (tests, tools). People's users — guests and
 * accounts — are created by the auth library (lib/auth) with their session.
 * INSERT … ON CONFLICT DO NOTHING: concurrent calls for one id are safe.
 */
export async function ensureUser(db: Db, userId: string): Promise<void> {
  const found = await db.user.findUnique({ where: { id: userId }, select: { id: true } });
  if (found) return;
  await db.user.createMany({ data: [{ id: userId }], skipDuplicates: true });
}
