// Admission: every start of a generation (posting a message, Continue, and
// regenerate / edit in revisions.ts) passes the rules of docs/PROTOCOL.md
// §3.2 (one reply generating per conversation, at most N per user) in one
// transaction that locks the user's row, so concurrent posts cannot race,
// after the user's rate and a slot of the instance's capacity (capacity.ts).
// A post without files passes the same rules in one SQL call that takes the
// same locks (post-admission.ts). A guest that moved into an account is
// admitted as the account, under the account's lock too
// (lib/auth/data-owner.ts), so the move and admission count under the same
// locks.
import type { Db } from "../platform/db";
import { AppError } from "../errors";
import { toMessage, DEFAULT_TITLE } from "../chat/conversations";
import { currentLeaf } from "../chat/message-tree";
import type { Message, MessageMetadata } from "../chat/types";
import type { Shutdown } from "../platform/shutdown";
import { enforceMessageRate, refundMessageRate, type RequestRateLimiter } from "../platform/rate-limit";
import { lockDataOwner } from "../auth/data-owner";
import { createExchange, generatingCounts, reopenReply } from "./lifecycle";
import { isContinuable } from "./status";
import type { GenerationCapacity } from "./capacity";
import type { FilePart } from "../chat/types";
import { attachFiles, type FileLimits } from "../files/attachments";
import type { UserEventSink } from "../events/types";
import { keyMismatch, priorStart, recordStart, replayStart, type IdempotencyClaim, type PriorStart, type ReplayedStart } from "./idempotency";
import type { Loaded, ReplyRow } from "./generation/generation";
import type { SetupConversation } from "./generation/reply-setup";
import { commitPost } from "./post-admission";
import { refusal } from "./refusals";

/** What admission uses: the database, the per-user rate and concurrency limits, the instance's capacity, and whether it drains. */
export type Admission = {
  db: Db;
  limiter: RequestRateLimiter;
  maxActivePerUser: number;
  capacity: GenerationCapacity;
  shutdown: Shutdown;
  /** Attachment limits (lib/files); none: messages cannot carry files. */
  fileLimits?: FileLimits;
  /** The owner's event stream (GET /api/events) hears of each admitted reply. */
  events?: UserEventSink;
};

/** An admitted reply as the owner's event stream tells it (docs/PROTOCOL.md §4.8). */
export type ReplyStart = { conversationId: string; replyId: string; userMessageId?: string; title?: string };

function announceStart(events: UserEventSink | undefined, ownerId: string, s: ReplyStart): void {
  if (!events) return;
  const { conversationId } = s;
  if (s.title) events.publish(ownerId, { event: "conversation.titled", data: { conversationId, title: s.title } });
  if (s.userMessageId) events.publish(ownerId, { event: "message.created", data: { conversationId, messageId: s.userMessageId, role: "user" } });
  events.publish(ownerId, { event: "reply.started", data: { conversationId, messageId: s.replyId, ...(s.userMessageId ? { userMessageId: s.userMessageId } : {}) } });
}

export const MAX_CONTENT_CHARS = 32_000;
/** docs/PROTOCOL.md §3.2: non-empty after trimming (400) unless files come with it, at most 32,000 code points (413); stored as sent. */
export function requireContent(content: string, withFiles = false): string {
  if (content.trim() === "" && !withFiles) throw new AppError("invalid_input", "content must not be empty");
  if ([...content].length > MAX_CONTENT_CHARS) throw new AppError("too_large", `content must be at most ${MAX_CONTENT_CHARS} characters`);
  return content;
}

// Under a burst, admissions queue for the user lock and pool connections:
// wait for them rather than fail (a 503 comes only past these limits).
export const ADMIT_TX = { maxWait: 15_000, timeout: 20_000 };

export function titleFrom(content: string): string {
  const line = content.trim().split(/\s+/).join(" ");
  const chars = [...line];
  return chars.length <= 60 ? line : chars.slice(0, 59).join("").trimEnd() + "…";
}

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/** A repeat of an earlier start (same Idempotency-Key): the reply as it stands, nothing started. */
export type Replayed = { replayed?: true };

/** How a start with an idempotency key is recorded and replayed (idempotency.ts). */
export type IdempotentStart<T> = { claim: IdempotencyClaim; replay: (r: ReplayedStart) => T };

/**
 * Every generation start (post, Continue, edit, regenerate): the user's
 * request rate first (429 before any lock, write or pooled connection is
 * held), then a slot of the instance's capacity (503 `overloaded`, also
 * before anything is written), then `admit` in one transaction holding the
 * owner's row lock, which serializes the owner's posts (PostgreSQL row lock;
 * PGlite is single-writer anyway). `admit` gets the owner's id and calls
 * admitGeneration. The slot passes to the admitted reply (`replyOf`); the
 * caller hands that to the job runner (lib/http/deliver.ts). With `idem`, a
 * key already used returns its reply (`replayed`) before any of that, and
 * again under the lock (two requests racing with one key start one reply).
 */
export async function withAdmission<T extends object>(
  a: Admission,
  userId: string,
  admit: (tx: Tx, ownerId: string) => Promise<T>,
  replyOf: (admitted: T) => string,
  started?: (admitted: T) => ReplyStart,
  idem?: IdempotentStart<T>,
): Promise<T & Replayed> {
  const commit = async (): Promise<Committed<T>> => {
    let ownerId = userId;
    let prior: PriorStart | null = null;
    const admitted = await a.db.$transaction(async (tx) => {
      ownerId = await lockDataOwner(tx, userId, "update");
      if (idem && (prior = await priorStart(tx, ownerId, idem.claim))) return null;
      const t = await admit(tx, ownerId);
      if (idem) await recordStart(tx, ownerId, idem.claim, { replyId: replyOf(t), userMessageId: started?.(t).userMessageId ?? null });
      return t;
    }, ADMIT_TX);
    return admitted === null ? { ownerId, prior: prior! } : { ownerId, admitted };
  };
  return admitThrough(a, userId, commit, replyOf, started, idem);
}

/** What an admission's commit produced, for whose data: the admitted start, or the start its idempotency key made before. */
type Committed<T> = { ownerId: string; admitted: T } | { ownerId: string; prior: PriorStart };

/** withAdmission's steps around the commit, which either its transaction or one SQL call (post-admission.ts) makes. */
async function admitThrough<T extends object>(
  a: Admission,
  userId: string,
  commit: () => Promise<Committed<T>>,
  replyOf: (admitted: T) => string,
  started?: (admitted: T) => ReplyStart,
  idem?: IdempotentStart<T>,
): Promise<T & Replayed> {
  const replay = async (prior: PriorStart) => ({ ...idem!.replay(await replayStart(a.db, prior)), replayed: true as const });
  const before = idem && (await priorStart(a.db, userId, idem.claim));
  if (before) return replay(before);
  await enforceMessageRate(a.limiter, userId);
  const slot = a.capacity.reserve();
  try {
    const c = await commit();
    if ("prior" in c) return replay(c.prior);
    slot.handOver(replyOf(c.admitted));
    // Committed: every tab of the owner may now hear of it.
    if (started) announceStart(a.events, c.ownerId, started(c.admitted));
    return c.admitted;
  } finally {
    slot.release(); // no-op once handed over
  }
}

/**
 * withAdmission for a start the server makes by itself (a queued message,
 * lib/reply/queue.ts): refused after the message rate counted it (a limit,
 * capacity, a race), it gives that request back, so a queue that waits and is
 * tried again never uses up the rate the user's own sends need.
 */
export async function withServerAdmission<T extends object>(
  a: Admission,
  userId: string,
  admit: (tx: Tx, ownerId: string) => Promise<T>,
  replyOf: (admitted: T) => string,
  started?: (admitted: T) => ReplyStart,
): Promise<T & Replayed> {
  try {
    return await withAdmission(a, userId, admit, replyOf, started);
  } catch (e) {
    if (!(e instanceof AppError && e.code === "rate_limited")) await refundMessageRate(a.limiter, userId);
    throw e;
  }
}

/** Inside withAdmission's transaction (the owner locked): enforce the generation limits. */
export async function admitGeneration(a: Admission, tx: Tx, userId: string, conversationId: string) {
  a.shutdown.refuseWhileDraining();
  const conv = await tx.conversation.findFirst({ where: { id: conversationId, userId } });
  if (!conv) throw refusal("not_found", a.maxActivePerUser);
  const busy = await generatingCounts(tx, userId, conversationId);
  if (busy.here > 0) throw refusal("generation_in_progress", a.maxActivePerUser);
  if (busy.total >= a.maxActivePerUser) throw refusal("too_many_generations", a.maxActivePerUser);
  return conv;
}

/**
 * A user message on the shown path and a pending reply to it (the reply's
 * row comes from the lifecycle). Also used by edit and resend, with the
 * edited message's parent.
 */
export async function addExchange(
  tx: Tx,
  o: { conversationId: string; parentId: string | null; content: string; files?: FilePart[]; title?: string; replyMetadata?: MessageMetadata },
) {
  const now = Date.now();
  const { userRow, assistantRow } = await createExchange(tx, { ...o, createdAt: new Date(now) });
  // A new title (the first message's) goes in the same write.
  const title = o.title === undefined ? {} : { title: o.title };
  await tx.conversation.update({ where: { id: o.conversationId }, data: { currentLeafId: assistantRow.id, updatedAt: new Date(now + 1), ...title } });
  return { userRow, assistantRow };
}

/** Files `ids` for a message in `conversationId` (lib/files/attachments.ts); none when attachments are off. */
export function messageFiles(a: Admission, tx: Tx, ownerId: string, conversationId: string, ids: string[]): Promise<FilePart[]> {
  if (ids.length && !a.fileLimits?.perMessage) throw new AppError("invalid_input", "Attachments are turned off on this server.");
  return attachFiles(tx, a.fileLimits!, ownerId, conversationId, ids);
}

/**
 * What a generation in this process starts from (generation.ts, Loaded): the
 * reply's row as the admission committed it, the conversation it read under
 * the lock, and the owner's settings and the history when it read them.
 */
export const admittedReply = (
  row: Omit<ReplyRow, "conversation">,
  ownerId: string,
  conv: SetupConversation,
  more: Pick<Loaded, "settings" | "history"> = {},
): Loaded => ({
  row: { ...row, conversation: { userId: ownerId } },
  conversation: { model: conv.model, systemPrompt: conv.systemPrompt },
  ...more,
});

/** A posted message and its reply; `seq`: the reply's saved id (0 when new; a replay's as it stands); `admitted`: what the admission read, for the generation; `title`: the one the post gave its conversation. */
export type PostedExchange = { userMessage: Message; assistantMessage: Message; seq: number; admitted?: Loaded; title?: string };

export async function createReply(a: Admission, userId: string, conversationId: string, content: string, fileIds: string[] = [], claim?: IdempotencyClaim) {
  const idem = claim && { claim, replay: exchangeReplay };
  const replyOf = (r: PostedExchange) => r.assistantMessage.id;
  if (fileIds.length) {
    return withAdmission<PostedExchange>(
      a,
      userId,
      (tx, ownerId) => admitPost(a, tx, ownerId, conversationId, content, fileIds),
      replyOf,
      postStart(conversationId),
      idem,
    );
  }
  // Without files, the same rules in one round trip (post-admission.ts).
  const commit = async (): Promise<Committed<PostedExchange>> => {
    a.shutdown.refuseWhileDraining();
    const c = await commitPost(a.db, userId, conversationId, { content, title: titleFrom(content), maxActive: a.maxActivePerUser, claim });
    if ("prior" in c) return c;
    const { ownerId, userRow, replyRow, title, settings, history } = c;
    const admitted = admittedReply(replyRow, ownerId, c.conversation, { settings, history });
    return { ownerId, admitted: { userMessage: toMessage(userRow), assistantMessage: toMessage(replyRow), seq: 0, title, admitted } };
  };
  return admitThrough(a, userId, commit, replyOf, postStart(conversationId), idem);
}

/** A post inside withAdmission's transaction: the limits, then the message on the shown path and its reply (`title` when it names the conversation). */
export async function admitPost(a: Admission, tx: Tx, ownerId: string, conversationId: string, content: string, fileIds: string[] = []) {
  const conv = await admitGeneration(a, tx, ownerId, conversationId);
  // The new message follows the path the conversation shows.
  const parentId = await currentLeaf(tx, conv);
  const files = await messageFiles(a, tx, ownerId, conversationId, fileIds);
  let title: string | undefined;
  if (parentId === null && conv.title === DEFAULT_TITLE && !conv.titleLocked) title = titleFrom(content.trim() ? content : (files[0]?.name ?? content));
  const { userRow, assistantRow } = await addExchange(tx, { conversationId, parentId, content, files, title });
  return { userMessage: toMessage(userRow), assistantMessage: toMessage(assistantRow), seq: 0, title, admitted: admittedReply(assistantRow, ownerId, conv) };
}

/** How an admitted post is announced on the owner's event stream. */
export const postStart =
  (conversationId: string) =>
  (r: PostedExchange): ReplyStart => ({
    conversationId,
    replyId: r.assistantMessage.id,
    userMessageId: r.userMessage.id,
    title: r.title,
  });

/** A replayed post or edit: its user message and reply as they stand. */
export function exchangeReplay(r: ReplayedStart): PostedExchange {
  if (!r.userMessage) throw keyMismatch();
  return { userMessage: r.userMessage, assistantMessage: r.message, seq: r.seq };
}

export const replyReplay = (r: ReplayedStart) => ({ message: r.message, seq: r.seq });

/**
 * Continue: an interrupted or failed reply becomes pending again and the next
 * generation appends to it. Only the last message of the shown path can be
 * continued (anything after it would be answered out of order).
 */
export async function continueReply(
  a: Admission,
  userId: string,
  messageId: string,
  claim?: IdempotencyClaim,
): Promise<{ message: Message; seq: number; admitted?: Loaded } & Replayed> {
  return withAdmission(
    a,
    userId,
    async (tx, ownerId) => {
      const row = await tx.message.findFirst({ where: { id: messageId, conversation: { userId: ownerId } } });
      if (!row) throw new AppError("not_found", "message not found");
      const conv = await admitGeneration(a, tx, ownerId, row.conversationId);
      const fresh = await tx.message.findUniqueOrThrow({ where: { id: messageId } });
      if (fresh.role !== "assistant" || !isContinuable(fresh.status)) {
        throw new AppError("not_resumable", `Only an interrupted or failed reply can be continued (this one is ${fresh.status}).`);
      }
      if ((await currentLeaf(tx, conv)) !== fresh.id) throw new AppError("not_resumable", "Only the latest reply of a conversation can be continued.");
      const updated = await reopenReply(tx, fresh);
      await tx.conversation.update({ where: { id: fresh.conversationId }, data: { updatedAt: new Date() } });
      return { message: toMessage(updated), seq: updated.seq, admitted: admittedReply(updated, ownerId, conv) };
    },
    (r) => r.message.id,
    (r) => ({ conversationId: r.message.conversationId, replyId: r.message.id }),
    claim && { claim, replay: replyReplay },
  );
}
