// What a (re)starting event stream tells a tab that cannot replay: which of
// the user's replies are generating now (docs/PROTOCOL.md §4.8).
import type { Db } from "../platform/db";
import { GENERATING_STATUSES } from "../reply/status";

export type GeneratingReply = { conversationId: string; messageId: string };

export async function generatingReplies(db: Pick<Db, "message">, userId: string): Promise<GeneratingReply[]> {
  const rows = await db.message.findMany({
    where: { conversation: { userId }, role: "assistant", status: { in: [...GENERATING_STATUSES] } },
    select: { id: true, conversationId: true },
    take: 100,
  });
  return rows.map((r) => ({ conversationId: r.conversationId, messageId: r.id }));
}
