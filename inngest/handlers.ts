// The plain code of Tether's jobs. The Inngest functions (functions.ts) call
// it inside their steps; the in-process job runner (lib/jobs) calls the very
// same code directly, so both modes behave alike.
import { getDb, type Db } from "../lib/db";
import { GenerationNotRunnable } from "../lib/generation/generation";
import { getGenerations } from "../lib/generation/registry";
import { saveCheckpoint, type CheckpointState } from "../lib/generation/checkpoint";
import { sweepStaleReplies } from "../lib/generation/sweep";
import { generationDeps } from "../lib/runtime";
import type { Message, MessageStatus } from "../lib/types";

/** Scaled mode: a reply whose last save is older than this has lost its generation. */
export const STALE_REPLY_MS = Number(process.env.STALE_REPLY_MS) || 90_000;

export type SkipReason = "not_found" | "not_assistant" | "not_pending";

export type BeginResult =
  | { started: true; done: Promise<Message> }
  | { started: false; reason: SkipReason; status?: MessageStatus };

/** What a generate job reports: a summary, never the content itself. */
export type GenerateReplyResult =
  | { messageId: string; ran: true; status: MessageStatus; seq: number; contentLength: number }
  | { messageId: string; ran: false; reason: SkipReason; status?: MessageStatus };

/**
 * Starts generating a pending assistant message in this process's registry
 * (so Stop on this instance reaches it). Anything but a pending assistant
 * message is left alone: a duplicate or late event is a no-op. Resolves once
 * the generation is registered.
 */
export async function beginGeneration(messageId: string): Promise<BeginResult> {
  const registry = getGenerations();
  // Already generating here (a duplicate delivered to the same instance).
  const live = registry.whenDone(messageId);
  if (live) return { started: true, done: live };
  const db = await getDb();
  const row = await db.message.findUnique({ where: { id: messageId }, select: { role: true, status: true } });
  if (!row) return { started: false, reason: "not_found" };
  if (row.role !== "assistant") return { started: false, reason: "not_assistant" };
  if (row.status !== "pending") return { started: false, reason: "not_pending", status: row.status };
  return { started: true, done: registry.start(await generationDeps(), messageId) };
}

/** Runs the generation of a pending reply to its end (the generate-reply job). */
export async function generateReply(messageId: string): Promise<GenerateReplyResult> {
  const begun = await beginGeneration(messageId);
  if (!begun.started) return { messageId, ran: false, reason: begun.reason, status: begun.status };
  let message: Message;
  try {
    message = await begun.done;
  } catch (e) {
    // It stopped being pending between our check and the generation's own.
    if (e instanceof GenerationNotRunnable) return { messageId, ran: false, reason: "not_pending" };
    throw e;
  }
  const saved = await (await getDb()).message.findUnique({ where: { id: messageId }, select: { seq: true } });
  return { messageId, ran: true, status: message.status, seq: saved?.seq ?? 0, contentLength: message.content.length };
}

export type PersistReplyResult = { messageId: string; seq: number; applied: boolean };

/**
 * Saves a reply's state. Guarded by seq: a retried or reordered save of an
 * older state changes nothing. A database error is thrown (the caller retries).
 */
export async function persistReply(messageId: string, state: CheckpointState, db?: Db): Promise<PersistReplyResult> {
  const applied = await saveCheckpoint(db ?? (await getDb()), messageId, state);
  return { messageId, seq: state.seq, applied };
}

/** Marks replies abandoned by a dead generation interrupted; returns their ids. */
export async function sweepStale(opts: { staleMs?: number } = {}): Promise<string[]> {
  return sweepStaleReplies(await getDb(), {
    staleMs: opts.staleMs ?? STALE_REPLY_MS,
    liveIds: getGenerations().liveIds(),
  });
}
