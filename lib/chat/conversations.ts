// Conversations and their messages, always resolved through their owner:
// another user's id is indistinguishable from a missing one (404). Creating,
// changing and deleting one is announced on the owner's event stream
// (`events`, docs/PROTOCOL.md §4.8).
import type { Db } from "../platform/db";
import { shownPath } from "./message-tree";
import { AppError } from "../errors";
import { lockDataOwner } from "../auth/data-owner";
import type { Conversation, ErrorBody, Message, MessageMetadata, Part } from "./types";
import type { Conversation as ConversationRow, Message as MessageRow } from "../generated/prisma/client";
import type { UserEventSink } from "../events/types";

export const DEFAULT_TITLE = "New chat";
export const MAX_TITLE_CHARS = 200;

/** What a conversation row is read with: the name of the key that started it (docs/GATEWAY.md). */
export const WITH_API_KEY = { apiKey: { select: { id: true, name: true } } } as const;
type KeyedRow = ConversationRow & { apiKey?: { id: string; name: string } | null };

export function toConversation(row: KeyedRow): Conversation {
  return {
    id: row.id,
    title: row.title,
    model: row.model,
    systemPrompt: row.systemPrompt,
    pinnedAt: row.pinnedAt?.toISOString() ?? null,
    archivedAt: row.archivedAt?.toISOString() ?? null,
    apiKey: row.apiKey ? { id: row.apiKey.id, name: row.apiKey.name } : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toMessage(row: MessageRow): Message {
  const msg: Message = {
    id: row.id,
    conversationId: row.conversationId,
    role: row.role,
    content: row.content,
    parts: (row.parts ?? []) as Part[],
    status: row.status,
    metadata: (row.metadata ?? {}) as MessageMetadata,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    parentId: row.parentId,
  };
  if (row.error) msg.error = row.error as ErrorBody;
  return msg;
}

/** What a conversation is created with, or changed to. `model` is checked against the catalog by the caller. */
export type ConversationSetup = { title?: string; model?: string | null; systemPrompt?: string };
/** A change through PATCH: the setup, and pinning or archiving (true sets the time, false clears it). */
export type ConversationPatch = ConversationSetup & { pinned?: boolean; archived?: boolean };

/** A new conversation for the user (for the account, when the user is a guest that moved into one meanwhile). */
export async function createConversation(
  db: Db,
  userId: string,
  title?: string,
  setup: Omit<ConversationSetup, "title"> = {},
  events?: UserEventSink,
): Promise<Conversation> {
  // A title the user chose is theirs: a generated one never replaces it.
  const chosen = title?.trim();
  const row = await db.$transaction(async (tx) => {
    const ownerId = await lockDataOwner(tx, userId, "share");
    return tx.conversation.create({
      data: { userId: ownerId, title: chosen || DEFAULT_TITLE, titleLocked: !!chosen, model: setup.model ?? null, systemPrompt: setup.systemPrompt ?? "" },
    });
  });
  const conversation = toConversation(row);
  events?.publish(row.userId, { event: "conversation.created", data: { conversation } });
  return conversation;
}

/** The user's conversations by last activity; `archived` false leaves archived ones out, true lists only them. */
export async function listConversations(db: Db, userId: string, o: { archived?: boolean } = {}): Promise<Conversation[]> {
  const rows = await db.conversation.findMany({
    where: { userId, ...(o.archived === undefined ? {} : { archivedAt: o.archived ? { not: null } : null }) },
    orderBy: [{ updatedAt: "desc" }, { createdAt: "desc" }, { id: "desc" }],
    take: 500,
    include: WITH_API_KEY,
  });
  return rows.map(toConversation);
}

export async function requireConversation(db: Db, userId: string, id: string): Promise<KeyedRow> {
  const row = await db.conversation.findFirst({ where: { id, userId }, include: WITH_API_KEY });
  if (!row) throw new AppError("not_found", "conversation not found");
  return row;
}

export async function getConversationWithMessages(db: Db, userId: string, id: string) {
  const conversation = await requireConversation(db, userId, id);
  return { conversation: toConversation(conversation), messages: await shownPath(db, conversation, toMessage) };
}

/**
 * Renames (a user's title is locked against generated ones), sets the model or
 * system prompt, pins or archives; a field left out stays. Pinning an already
 * pinned one keeps its time. None of it is activity: `updatedAt` stays.
 */
export async function updateConversation(db: Db, userId: string, id: string, patch: ConversationPatch, events?: UserEventSink): Promise<Conversation> {
  const before = await requireConversation(db, userId, id);
  const title = patch.title?.trim();
  const now = new Date();
  const row = await db.conversation.update({
    where: { id },
    data: {
      ...(title ? { title, titleLocked: true } : {}),
      ...(patch.model !== undefined ? { model: patch.model } : {}),
      ...(patch.systemPrompt !== undefined ? { systemPrompt: patch.systemPrompt } : {}),
      ...(patch.pinned !== undefined ? { pinnedAt: patch.pinned ? (before.pinnedAt ?? now) : null } : {}),
      ...(patch.archived !== undefined ? { archivedAt: patch.archived ? (before.archivedAt ?? now) : null } : {}),
    },
    include: WITH_API_KEY,
  });
  const conversation = toConversation(row);
  events?.publish(row.userId, { event: "conversation.updated", data: { conversation } });
  return conversation;
}

export async function renameConversation(db: Db, userId: string, id: string, title: string): Promise<Conversation> {
  return updateConversation(db, userId, id, { title });
}

export async function deleteConversation(db: Db, userId: string, id: string, events?: UserEventSink): Promise<void> {
  await requireConversation(db, userId, id);
  // deleteMany: a concurrent delete of the same row is not an error.
  const { count } = await db.conversation.deleteMany({ where: { id, userId } });
  if (count === 1) events?.publish(userId, { event: "conversation.deleted", data: { conversationId: id } });
}

export async function requireMessage(db: Db, userId: string, id: string): Promise<MessageRow> {
  const row = await db.message.findFirst({ where: { id, conversation: { userId } } });
  if (!row) throw new AppError("not_found", "message not found");
  return row;
}
