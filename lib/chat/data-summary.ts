// What a user's data amounts to, for the dialogs that delete it (Settings):
// conversations, stored files, and replies being written now.
import type { Db } from "../platform/db";
import { GENERATING_STATUSES } from "../reply/status";

export type DataSummary = { conversations: number; files: number; running: number };

export async function dataSummary(db: Db, userId: string): Promise<DataSummary> {
  const [conversations, files, running] = await Promise.all([
    db.conversation.count({ where: { userId } }),
    db.attachment.count({ where: { userId } }),
    db.message.count({ where: { conversation: { userId }, role: "assistant", status: { in: [...GENERATING_STATUSES] } } }),
  ]);
  return { conversations, files, running };
}
