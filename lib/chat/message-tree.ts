// A conversation's messages form a tree (docs/API.md): each message follows
// its parent; siblings are versions of a reply (regenerate) or branches after
// an edited message. The conversation shows one path, from its first message
// to `currentLeafId`. Nothing here deletes a message.
import type { Db } from "../platform/db";
import { AppError } from "../errors";
import type { Conversation as ConversationRow, Message as MessageRow } from "../generated/prisma/client";
import type { Message, MessageVersions } from "./types";

type Node = { id: string; parentId: string | null; role: string; createdAt: Date };

const byAge = (a: Node, b: Node) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The path from the first message to `leafId`, oldest first. */
export function pathTo<T extends Node>(rows: readonly T[], leafId: string | null): T[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  // No leaf recorded (rows written before branches existed): the newest message.
  let at = (leafId && byId.get(leafId)) || [...rows].sort(byAge).at(-1);
  const path: T[] = [];
  const seen = new Set<string>();
  while (at && !seen.has(at.id)) {
    seen.add(at.id);
    path.push(at);
    at = at.parentId ? byId.get(at.parentId) : undefined;
  }
  return path.reverse();
}

/** Where `fromId`'s branch ends: following the most recent child at each step. */
export function newestLeaf(rows: readonly Node[], fromId: string): string {
  const children = new Map<string, Node[]>();
  for (const r of rows) if (r.parentId) children.set(r.parentId, [...(children.get(r.parentId) ?? []), r]);
  let at = fromId;
  for (let guard = 0; guard <= rows.length; guard++) {
    const next = children.get(at)?.sort(byAge).at(-1);
    if (!next) break;
    at = next.id;
  }
  return at;
}

/** The versions of `node` (its siblings of the same role), when it has any. */
export function versionsOf(rows: readonly Node[], node: Node): MessageVersions | undefined {
  const siblings = rows.filter((r) => r.parentId === node.parentId && r.role === node.role).sort(byAge);
  if (siblings.length < 2) return undefined;
  return { index: siblings.findIndex((s) => s.id === node.id), count: siblings.length, ids: siblings.map((s) => s.id) };
}

/** The messages before `row` on its own path (what the model is shown), oldest first. */
export async function historyBefore(db: Db, row: Pick<MessageRow, "conversationId" | "parentId">): Promise<MessageRow[]> {
  if (!row.parentId) return [];
  const rows = await db.message.findMany({ where: { conversationId: row.conversationId } });
  return pathTo(rows, row.parentId);
}

/** The shown path of a conversation, as API messages with their versions. */
export async function shownPath(db: Db, conversation: Pick<ConversationRow, "id" | "currentLeafId">, toMessage: (row: MessageRow) => Message): Promise<Message[]> {
  const rows = await db.message.findMany({ where: { conversationId: conversation.id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  return pathTo(rows, conversation.currentLeafId).map((row) => {
    const msg = toMessage(row);
    const versions = versionsOf(rows, row);
    if (versions) msg.versions = versions;
    return msg;
  });
}

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/** A message as the API shows it, with its versions (its siblings of the same role), for a first snapshot. */
export async function withVersions(db: Pick<Db, "message">, row: MessageRow, toMessage: (row: MessageRow) => Message): Promise<Message> {
  const siblings = await db.message.findMany({
    where: { conversationId: row.conversationId, parentId: row.parentId, role: row.role },
    select: { id: true, parentId: true, role: true, createdAt: true },
  });
  const msg = toMessage(row);
  const versions = versionsOf(siblings, row);
  if (versions) msg.versions = versions;
  return msg;
}

/** The conversation's current leaf inside a transaction (the newest message if none is recorded). */
export async function currentLeaf(tx: Tx, conversation: Pick<ConversationRow, "id" | "currentLeafId">): Promise<string | null> {
  if (conversation.currentLeafId) return conversation.currentLeafId;
  const newest = await tx.message.findFirst({
    where: { conversationId: conversation.id },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { id: true },
  });
  return newest?.id ?? null;
}

/** Throws unless `messageId` is on the conversation's shown path. */
export async function requireOnPath(tx: Tx, conversation: Pick<ConversationRow, "id" | "currentLeafId">, messageId: string) {
  const rows = await tx.message.findMany({
    where: { conversationId: conversation.id },
    select: { id: true, parentId: true, role: true, createdAt: true },
  });
  if (!pathTo(rows, await currentLeaf(tx, conversation)).some((r) => r.id === messageId)) {
    throw new AppError("not_on_path", "This message is not on the conversation's current path: switch to its version first.");
  }
  return rows;
}
