// Per-user settings; a missing row means the defaults.
import type { Db } from "../platform/db";
import { lockDataOwner } from "../auth/data-owner";

export async function getSettings(db: Db, userId: string): Promise<{ streaming: boolean }> {
  const row = await db.userSettings.findUnique({ where: { userId } });
  return { streaming: row?.streaming ?? true };
}

/** Changes the user's settings (the account's, when the user is a guest that moved into one meanwhile). */
export async function updateSettings(db: Db, userId: string, patch: { streaming?: boolean }): Promise<{ streaming: boolean }> {
  const row = await db.$transaction(async (tx) => {
    const ownerId = await lockDataOwner(tx, userId, "share");
    return tx.userSettings.upsert({
      where: { userId: ownerId },
      create: { userId: ownerId, streaming: patch.streaming ?? true },
      update: patch.streaming === undefined ? {} : { streaming: patch.streaming },
    });
  });
  return { streaming: row.streaming };
}
