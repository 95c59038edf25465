// What a (re)starting event stream tells a tab that cannot replay: which of
// the user's replies are generating now (docs/PROTOCOL.md §4.8).
import type { Db } from "../platform/db";
import { GENERATING_STATUSES } from "../reply/status";
import type { UserEventBus } from "./bus";

export type GeneratingReply = { conversationId: string; messageId: string };

/** Where a server-rendered page's tab starts its event stream: what the page shows includes every event up to `after`. */
export type TabStart = { after: number; generating: GeneratingReply[] };

/** The id first: an event racing the page's reads is replayed rather than lost. */
export async function tabStart(events: UserEventBus, db: Pick<Db, "message">, userId: string): Promise<TabStart> {
  const after = await events.latestId(userId);
  return { after, generating: await generatingReplies(db, userId) };
}

export async function generatingReplies(db: Pick<Db, "message">, userId: string): Promise<GeneratingReply[]> {
  const rows = await db.message.findMany({
    where: { conversation: { userId }, role: "assistant", status: { in: [...GENERATING_STATUSES] } },
    select: { id: true, conversationId: true },
    take: 100,
  });
  return rows.map((r) => ({ conversationId: r.conversationId, messageId: r.id }));
}
