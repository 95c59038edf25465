// One Generation fills one assistant message from the model: it streams the
// provider's events into parts, numbers and publishes them, checkpoints the
// partial state, and ends in exactly one of complete / interrupted / failed.
// Plain TypeScript: runs in the server process or inside an Inngest function.
import type { Db } from "../db";
import { toMessage } from "../conversations";
import type { LlmProvider, ProviderEvent } from "../llm/types";
import type { StreamEvent } from "../stream/events";
import type { ErrorBody, Message, MessageMetadata, MessageStatus, Part } from "../types";
import { ReplyAssembler } from "./assembler";
import { Checkpointer, type CheckpointState } from "./checkpoint";
import { planTurns } from "./continuation";

export type GenerationDeps = {
  db: Db;
  provider: LlmProvider;
  /** Receives every numbered event, in order. */
  publish?: (messageId: string, events: StreamEvent[]) => void;
  checkpointMs?: number;
  /** Durable retry of a final save the database refused (the job runner's persist). */
  persistFallback?: (messageId: string, state: CheckpointState) => Promise<void>;
  idleTimeoutMs?: number;
  system?: string;
};

export const DEFAULT_IDLE_TIMEOUT_MS = Number(process.env.UPSTREAM_IDLE_TIMEOUT_MS) || 60_000;

export class GenerationNotRunnable extends Error {}

const ID_BLOCK = 1000;

async function reserveIds(db: Db, messageId: string, needed: number): Promise<number> {
  const ceiling = needed + ID_BLOCK;
  await db.message.updateMany({ where: { id: messageId, seqCeiling: { lt: ceiling } }, data: { seqCeiling: ceiling } });
  return ceiling;
}

export async function runGeneration(deps: GenerationDeps, messageId: string, signal: AbortSignal): Promise<Message> {
  const { db, provider } = deps;
  const row = await db.message.findUnique({ where: { id: messageId } });
  if (!row || row.role !== "assistant") throw new GenerationNotRunnable(`message ${messageId} is not an assistant message`);
  if (row.status !== "pending") throw new GenerationNotRunnable(`message ${messageId} is ${row.status}, not pending`);

  const history = await db.message.findMany({
    where: { conversationId: row.conversationId, createdAt: { lt: row.createdAt } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  const startedAt = Date.now();
  const plan = planTurns(history, (row.parts ?? []) as Part[], provider.supportsPrefill);
  const asm = new ReplyAssembler(plan.parts, row.seq, plan);
  const checkpoints = new Checkpointer(db, messageId, row.seq, deps.checkpointMs);
  const publish = (events: StreamEvent[]) => {
    if (events.length) deps.publish?.(messageId, events);
  };
  const snapshotState = (status: MessageStatus) => ({ seq: asm.seq, status, parts: asm.parts, content: asm.content });

  // Ids are reserved in blocks before they are sent, so a crash can never
  // lead to an id being reused (SPEC §4).
  let ceiling = await reserveIds(db, messageId, row.seq + 1);
  let status: MessageStatus = "pending";
  let error: ErrorBody | null = null;
  const setStatus = async (next: MessageStatus) => {
    status = next;
    publish([asm.emit({ event: "status", data: { status: next } })]);
  };

  try {
    if (plan.rewritten) {
      // Earlier text changed (trimmed for prefill): announce it before new text.
      const message = { ...toMessage(row), parts: asm.parts, content: asm.content };
      publish([asm.emit({ event: "snapshot", data: { message } })]);
    }
    const stream = provider.stream({
      turns: plan.turns,
      system: deps.system,
      signal,
      idleTimeoutMs: deps.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    });
    for await (const ev of stream as AsyncIterable<ProviderEvent>) {
      if (signal.aborted) break;
      if (ev.type === "error") {
        error = { code: ev.code, message: ev.message };
        break;
      }
      if (status === "pending") {
        await setStatus("streaming");
        await checkpoints.flush(snapshotState("streaming"));
      }
      const events = asm.apply(ev);
      if (asm.seq + 4 > ceiling) ceiling = await reserveIds(db, messageId, asm.seq + 4); // room for the closing events
      if (events.length) {
        publish(events);
        checkpoints.offer(() => snapshotState("streaming"));
      }
    }
  } catch (e) {
    // A provider must not throw, but a bug must not leave the row streaming.
    console.error("generation crashed", e);
    error = { code: "internal", message: "The reply failed because of a server error." };
  } finally {
    checkpoints.close();
  }

  asm.settleOpenBlocks();
  const finalStatus: MessageStatus = signal.aborted ? "interrupted" : error ? "failed" : "complete";
  if (error && !signal.aborted) publish([asm.emit({ event: "error", data: error })]);
  const durationMs = Date.now() - startedAt;
  const content = asm.content;
  const prev = (row.metadata ?? {}) as MessageMetadata;
  const metadata: MessageMetadata = {
    ...prev,
    provider: provider.name,
    model: asm.model ?? prev.model ?? provider.model,
    stopReason: finalStatus === "complete" ? (asm.stopReason ?? null) : finalStatus === "interrupted" ? "stopped" : "error",
    ...(asm.usage ? { usage: asm.usage } : {}),
    ...(asm.firstTokenAt !== undefined ? { firstTokenMs: asm.firstTokenAt - startedAt } : {}),
    durationMs,
    charsPerSecond: durationMs > 0 ? Math.round((content.length / durationMs) * 1000 * 10) / 10 : 0,
  };
  await setStatus(finalStatus);
  const finalState = {
    seq: asm.seq + 1, // the id of the `done` event that announces this state
    status: finalStatus,
    parts: asm.parts,
    content,
    error: finalStatus === "failed" ? error : null,
    metadata,
  };
  if (!(await checkpoints.flush(finalState)) && deps.persistFallback) {
    // The database refused the final save: hand it to a durable, retried job.
    deps.persistFallback(messageId, finalState).catch((e) => console.error(`final state of ${messageId} not saved`, e));
  }
  const fallback = () =>
    toMessage({ ...row, status: finalStatus, content, parts: asm.parts as never, metadata: metadata as never, error: (finalStatus === "failed" ? error : null) as never, seq: asm.seq + 1 });
  let message: Message;
  try {
    const saved = await db.message.findUnique({ where: { id: messageId } });
    message = saved && saved.seq === asm.seq + 1 ? toMessage(saved) : fallback();
  } catch {
    message = fallback(); // the database is unreachable: subscribers still get the end
  }
  publish([asm.emit({ event: "done", data: { message } })]);
  return message;
}

/**
 * A generation that could not even start (database error while loading):
 * mark the reply failed and end its subscribers' streams.
 */
export async function failToStart(deps: GenerationDeps, messageId: string, cause: unknown): Promise<void> {
  console.error(`generation of ${messageId} could not start`, cause);
  try {
    const rows = await deps.db.$queryRaw<{ seq: number }[]>`UPDATE "Message"
      SET status = 'failed', seq = GREATEST(seq, "seqCeiling") + 1, "updatedAt" = now(),
          error = ${JSON.stringify({ code: "internal", message: "The reply could not be started because of a server error." })}::jsonb
      WHERE id = ${messageId}::uuid AND status IN ('pending', 'streaming') RETURNING seq`;
    if (!rows.length) return;
    const row = await deps.db.message.findUniqueOrThrow({ where: { id: messageId } });
    deps.publish?.(messageId, [{ id: rows[0].seq, event: "done", data: { message: toMessage(row) } }]);
  } catch (e) {
    console.error(`could not mark ${messageId} failed`, e);
  }
}
