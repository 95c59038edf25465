// Per-user settings; a missing row means the defaults.
import type { Db } from "../platform/db";
import { lockDataOwner } from "../auth/data-owner";

export type Settings = {
  streaming: boolean;
  /** The model of conversations that chose none; null: the deployment's (ANTHROPIC_MODEL). */
  defaultModel: string | null;
  /** Custom instructions, sent at the start of every conversation's system prompt ("" = none). */
  instructions: string;
  /** The server continues replies a crash or a restart cut short (docs/PROTOCOL.md §5.5); off: they wait for Continue. */
  autoResume: boolean;
};

type Row = { streaming: boolean; defaultModel: string | null; instructions: string; autoResume: boolean } | null;
const toSettings = (row: Row): Settings => ({
  streaming: row?.streaming ?? true,
  defaultModel: row?.defaultModel ?? null,
  instructions: row?.instructions ?? "",
  autoResume: row?.autoResume ?? true,
});

export async function getSettings(db: Db, userId: string): Promise<Settings> {
  return toSettings(await db.userSettings.findUnique({ where: { userId } }));
}

/**
 * Changes the user's settings (the account's, when the user is a guest that
 * moved into one meanwhile); a field left out stays. `defaultModel` is checked
 * against the catalog by the caller.
 */
export async function updateSettings(db: Db, userId: string, patch: Partial<Settings>): Promise<Settings> {
  const data = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<Settings>;
  const row = await db.$transaction(async (tx) => {
    const ownerId = await lockDataOwner(tx, userId, "share");
    return tx.userSettings.upsert({ where: { userId: ownerId }, create: { userId: ownerId, ...data }, update: data });
  });
  return toSettings(row);
}
