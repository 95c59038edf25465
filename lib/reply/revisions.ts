// Regenerate, edit and resend, and switching between versions (docs/API.md).
// Each adds to the message tree (lib/chat/message-tree.ts) and moves the
// conversation's current leaf; the generation limits are those of a posted
// message (same lock, same transaction rules as admission.ts); new reply
// rows come from the reply lifecycle.
import type { Db } from "../platform/db";
import { AppError } from "../errors";
import { getConversationWithMessages, toMessage } from "../chat/conversations";
import { newestLeaf, requireOnPath, withVersions as messageWithVersions } from "../chat/message-tree";
import {
  ADMIT_TX,
  addExchange,
  admitGeneration,
  admittedReply,
  exchangeReplay,
  messageFiles,
  replyReplay,
  withAdmission,
  type Admission,
  type PostedExchange,
  type Replayed,
} from "./admission";
import type { IdempotencyClaim } from "./idempotency";
import { filePartsOf } from "../files/attachments";
import { countGenerating, createPendingReply } from "./lifecycle";
import type { Message } from "../chat/types";
import type { Loaded } from "./generation/generation";

async function ownedMessage(db: Pick<Db, "message">, userId: string, id: string) {
  const row = await db.message.findFirst({ where: { id, conversation: { userId } } });
  if (!row) throw new AppError("not_found", "message not found");
  return row;
}

/** The versions of a freshly created message, for its first snapshot. */
const withVersions = (tx: Pick<Db, "message">, row: Parameters<typeof toMessage>[0]) => messageWithVersions(tx, row, toMessage);

/**
 * A new version of the conversation's last reply: a pending assistant message
 * beside it (same parent), now the current leaf. The old reply is kept.
 */
export async function regenerateReply(
  a: Admission,
  userId: string,
  messageId: string,
  claim?: IdempotencyClaim,
): Promise<{ message: Message; seq: number; admitted?: Loaded } & Replayed> {
  await ownedMessage(a.db, userId, messageId); // 404 before any lock
  return withAdmission(
    a,
    userId,
    async (tx, ownerId) => {
      const row = await ownedMessage(tx, ownerId, messageId);
      if (row.role !== "assistant") throw new AppError("not_assistant", "Only a reply can be regenerated.");
      const conv = await admitGeneration(a, tx, ownerId, row.conversationId);
      if (conv.currentLeafId !== row.id) throw new AppError("not_latest", "Only the conversation's last reply can be regenerated.");
      const now = new Date();
      const created = await createPendingReply(tx, { conversationId: row.conversationId, parentId: row.parentId, createdAt: now });
      await tx.conversation.update({ where: { id: conv.id }, data: { currentLeafId: created.id, updatedAt: now } });
      return { message: await withVersions(tx, created), seq: 0, admitted: admittedReply(created, ownerId, conv) };
    },
    (r) => r.message.id,
    (r) => ({ conversationId: r.message.conversationId, replyId: r.message.id }),
    claim && { claim, replay: replyReplay },
  );
}

/**
 * Edit and resend: a new user message beside `messageId` (same parent) with
 * the new content, and a pending reply to it, become the shown path. What
 * followed the old message stays as the earlier branch.
 */
/** `fileIds` undefined: the new message keeps the edited one's files. */
export async function editAndResend(
  a: Admission,
  userId: string,
  messageId: string,
  content: string,
  fileIds?: string[],
  claim?: IdempotencyClaim,
): Promise<PostedExchange & Replayed> {
  await ownedMessage(a.db, userId, messageId);
  return withAdmission<PostedExchange>(
    a,
    userId,
    async (tx, ownerId) => {
      const row = await ownedMessage(tx, ownerId, messageId);
      if (row.role !== "user") throw new AppError("not_user", "Only your own messages can be edited.");
      const conv = await admitGeneration(a, tx, ownerId, row.conversationId);
      await requireOnPath(tx, conv, row.id);
      const files = fileIds ? await messageFiles(a, tx, ownerId, conv.id, fileIds) : filePartsOf(row.parts);
      if (content.trim() === "" && !files.length) throw new AppError("invalid_input", "content must not be empty");
      const { userRow, assistantRow } = await addExchange(tx, { conversationId: conv.id, parentId: row.parentId, content, files });
      return { userMessage: await withVersions(tx, userRow), assistantMessage: toMessage(assistantRow), seq: 0, admitted: admittedReply(assistantRow, ownerId, conv) };
    },
    (r) => r.assistantMessage.id,
    (r) => ({ conversationId: r.assistantMessage.conversationId, replyId: r.assistantMessage.id, userMessageId: r.userMessage.id }),
    claim && { claim, replay: exchangeReplay },
  );
}

/**
 * Shows the version or branch containing `messageId`: the current leaf
 * becomes the end of its branch. Refused while a reply generates in the
 * conversation (the reply would vanish from the path it streams on).
 */
export async function selectBranch(db: Db, userId: string, messageId: string) {
  const owned = await ownedMessage(db, userId, messageId);
  await db.$transaction(async (tx) => {
    // The same lock as posting: a post cannot slip in between check and switch.
    await tx.$queryRaw`SELECT id FROM "User" WHERE id = ${userId}::uuid FOR UPDATE`;
    const busy = await countGenerating(tx, { conversationId: owned.conversationId });
    if (busy > 0) throw new AppError("generation_in_progress", "Wait for the reply to finish (or stop it) before switching versions.");
    const rows = await tx.message.findMany({
      where: { conversationId: owned.conversationId },
      select: { id: true, parentId: true, role: true, createdAt: true },
    });
    await tx.conversation.update({ where: { id: owned.conversationId }, data: { currentLeafId: newestLeaf(rows, owned.id) } });
  }, ADMIT_TX);
  return getConversationWithMessages(db, userId, owned.conversationId);
}
