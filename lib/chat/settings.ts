// Per-user settings; a missing row means the defaults.
import type { Db } from "../platform/db";

export async function getSettings(db: Db, userId: string): Promise<{ streaming: boolean }> {
  const row = await db.userSettings.findUnique({ where: { userId } });
  return { streaming: row?.streaming ?? true };
}

export async function updateSettings(db: Db, userId: string, patch: { streaming?: boolean }): Promise<{ streaming: boolean }> {
  const row = await db.userSettings.upsert({
    where: { userId },
    create: { userId, streaming: patch.streaming ?? true },
    update: patch.streaming === undefined ? {} : { streaming: patch.streaming },
  });
  return { streaming: row.streaming };
}
