// Users as the purge finds them (lib/auth/purge.ts): guests and accounts
// with sessions of a chosen age and expiry, conversations, settings and a
// reply in a chosen status, written straight to the database.
import { randomUUID } from "node:crypto";
import type { Db } from "../platform/db";
import type { MessageStatus } from "../chat/types";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export type UserShape = {
  guest?: boolean;
  /** How long ago the user was created (default two days). */
  createdAgoMs?: number;
  /** Its sessions: expiring `expiresInMs` from now (negative: expired), last written `updatedAgoMs` ago. */
  sessions?: { expiresInMs: number; updatedAgoMs?: number }[];
  /** A conversation with a question and a reply in this status. */
  reply?: MessageStatus;
  settings?: boolean;
};

export type MadeUser = { userId: string; sessionIds: string[]; conversationId?: string; messageIds: string[] };

export async function makeUser(db: Db, s: UserShape = {}): Promise<MadeUser> {
  const now = Date.now();
  const userId = randomUUID();
  const guest = s.guest ?? true;
  await db.user.create({
    data: {
      id: userId,
      isAnonymous: guest,
      email: guest ? null : `${userId}@example.com`,
      name: guest ? "Guest" : "",
      createdAt: new Date(now - (s.createdAgoMs ?? 2 * DAY)),
    },
  });
  const sessionIds: string[] = [];
  for (const session of s.sessions ?? []) {
    const row = await db.session.create({ data: { userId, token: randomUUID(), expiresAt: new Date(now + session.expiresInMs) } });
    const updatedAt = new Date(now - (session.updatedAgoMs ?? 0));
    await db.$executeRaw`UPDATE "Session" SET "updatedAt" = ${updatedAt}, "createdAt" = ${updatedAt} WHERE id = ${row.id}::uuid`;
    sessionIds.push(row.id);
  }
  if (s.settings) await db.userSettings.create({ data: { userId, streaming: false } });
  const made: MadeUser = { userId, sessionIds, messageIds: [] };
  if (s.reply) {
    const conv = await db.conversation.create({ data: { userId, title: "t" } });
    const q = await db.message.create({ data: { conversationId: conv.id, role: "user", content: "hi", status: "complete" } });
    const r = await db.message.create({ data: { conversationId: conv.id, parentId: q.id, role: "assistant", content: "partial", status: s.reply } });
    Object.assign(made, { conversationId: conv.id, messageIds: [q.id, r.id] });
  }
  return made;
}

/** What is left of a user: its row, sessions, conversations, messages, settings. */
export async function remains(db: Db, u: MadeUser) {
  return {
    user: (await db.user.count({ where: { id: u.userId } })) > 0,
    sessions: await db.session.count({ where: { userId: u.userId } }),
    conversations: await db.conversation.count({ where: { userId: u.userId } }),
    messages: await db.message.count({ where: { id: { in: u.messageIds } } }),
    settings: await db.userSettings.count({ where: { userId: u.userId } }),
  };
}

export const EXPIRED = { expiresInMs: -HOUR, updatedAgoMs: 2 * DAY };
export const LIVE = { expiresInMs: 300 * DAY, updatedAgoMs: 0 };
export { HOUR, DAY };
