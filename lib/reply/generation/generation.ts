// One Generation fills one assistant message from the model: it streams the
// provider's events into parts, numbers and publishes them, checkpoints the
// partial state, and ends in exactly one of complete / interrupted / failed.
// When the model stops to call tools, it runs them (tool-step.ts) and calls
// the model again with the results, up to `maxToolSteps` times: all of it in
// the one message, parts accumulating and ids continuing. After the last
// allowed step the model is called once more with tool use off
// (tool_choice none), so the reply ends in an answer.
// Plain TypeScript: runs in the server process or inside an Inngest function.
import { historyBefore } from "../../chat/message-tree";
import type { Db } from "../../platform/db";
import { toMessage } from "../../chat/conversations";
import type { LlmProvider, ProviderEvent } from "../../llm/types";
import type { StreamEvent } from "../../stream/events";
import type { ErrorBody, Message, MessageMetadata, MessageStatus, Part } from "../../chat/types";
import { ReplyAssembler } from "./assembler";
import { Checkpointer, retryWrite } from "./checkpoint";
import { reserveIds, reserveIdsFor, type CheckpointState } from "../lifecycle";
import { canMove } from "../status";
import { endMetadata } from "./end-metadata";
import { planTurns } from "./continuation";
import { joinTurns, replyTurns } from "./history";
import { runToolStep } from "./tool-step";
import { replySetup, type SetupConversation, type SetupSettings } from "./reply-setup";
import type { Message as MessageRow } from "../../generated/prisma/client";
import { gatewaySetup } from "./gateway-setup";
import type { ModelCatalog } from "../../llm/models";
import { coalesceDeltas } from "./coalesce";
import type { ToolRegistry } from "../../tools/registry";
import type { RequestRateLimiter } from "../../platform/rate-limit";
import { childLog, errorFields } from "../../platform/log";
import { metrics, recordGeneration } from "../../platform/metrics";
import type { PriceTable } from "../../usage/prices";
import type { FileStore } from "../../files/store";
import { withFileData } from "../../files/attachments";
import { announceReplyEnd, type UserEventSink } from "../../events/types";
import { isGatewayReply } from "../../gateway/request";

export type GenerationDeps = {
  db: Db;
  provider: LlmProvider;
  /** Which models may be chosen (lib/llm/models.ts); none: a conversation's or user's choice is taken as is. */
  models?: ModelCatalog;
  /** Receives every numbered event, in order. */
  publish?: (messageId: string, events: StreamEvent[]) => void;
  /** The owner's event stream (GET /api/events) hears when the reply ends. */
  events?: UserEventSink;
  /** CHECKPOINT_INTERVAL_MS: the longest a streaming reply goes unsaved. */
  checkpointMs: number;
  /** FINAL_SAVE_RETRY_MS: how long the final save is retried before persistFallback. */
  finalSaveRetryMs: number;
  /** Durable retry of a final save the database refused (the job runner's persist). */
  persistFallback?: (messageId: string, state: CheckpointState) => Promise<void>;
  /** UPSTREAM_IDLE_TIMEOUT_MS. */
  idleTimeoutMs: number;
  system?: string;
  /** Tools the model may call; none when undefined. */
  tools?: ToolRegistry;
  /** MAX_TOOL_STEPS: tool steps (model turn → tool results) per run. */
  maxToolSteps: number;
  /** SEARCH_RATE_LIMIT, shared with GET /api/search; none: searches are not counted. */
  searchLimiter?: RequestRateLimiter;
  /**
   * The caller claimed a reply whose generation died while streaming (an
   * Inngest retry, lib/reply/resume.ts): run it although it is not pending,
   * and announce its saved state in a numbered snapshot before new text.
   */
  claimed?: boolean;
  /** MODEL_PRICES: each reply's cost is saved with its usage; none: no cost is saved. */
  prices?: PriceTable;
  /** Where attached files' bytes are read from; none: file parts go without content. */
  files?: FileStore;
};

export class GenerationNotRunnable extends Error {}

/** A reply's row as a generation starts from it (with its owner). */
export function loadReply(db: Db, messageId: string) {
  return db.message.findUnique({ where: { id: messageId }, include: { conversation: { select: { userId: true } } } });
}
export type ReplyRow = NonNullable<Awaited<ReturnType<typeof loadReply>>>;

/**
 * What the caller read already, so the generation does not read it again
 * before the upstream request: the reply's row as committed (loadReply's
 * shape), and the conversation's model and system prompt when the admission
 * that just committed it read them; a post admitted in one call
 * (post-admission.ts) also brings the owner's settings and the history.
 */
export type Loaded = { row: ReplyRow; conversation?: SetupConversation; settings?: SetupSettings | null; history?: MessageRow[] };

export async function runGeneration(deps: GenerationDeps, messageId: string, signal: AbortSignal, loaded?: Loaded): Promise<Message> {
  metrics.activeGenerations.inc();
  try {
    return await generate(deps, messageId, signal, loaded);
  } finally {
    metrics.activeGenerations.dec();
  }
}

async function generate(deps: GenerationDeps, messageId: string, signal: AbortSignal, loaded?: Loaded): Promise<Message> {
  const { db, provider } = deps;
  const given = loaded?.row.id === messageId ? loaded : undefined;
  const row = given?.row ?? (await loadReply(db, messageId));
  if (!row || row.role !== "assistant") throw new GenerationNotRunnable(`message ${messageId} is not an assistant message`);
  // Claimed by an Inngest retry (streaming) or by the sweep's auto-resume (resuming): a snapshot goes first.
  const claimed = (deps.claimed === true && row.status === "streaming") || row.status === "resuming";
  if (row.status !== "pending" && !claimed) throw new GenerationNotRunnable(`message ${messageId} is ${row.status}, not pending`);
  const glog = childLog({ component: "generation", messageId });

  // The reads before the upstream request, at once: the reply's own path (earlier
  // versions and branches are not part of it), its model and system prompt, and
  // the first block of ids (reserved before any is sent, docs/PROTOCOL.md §1.6;
  // a new reply's row has it already).
  // A gateway reply is asked with its client's own request instead (docs/GATEWAY.md).
  const gateway = isGatewayReply(row.metadata);
  const [history, setup, firstCeiling] = await Promise.all([
    gateway ? [] : (given?.history ? Promise.resolve(given.history) : historyBefore(db, row)).then((h) => withFileData(h, deps.files, db)),
    gateway
      ? gatewaySetup(db, messageId)
      : replySetup(db, row, { defaultModel: provider.model, models: deps.models, system: deps.system }, given?.conversation, given?.settings),
    reserveIdsFor(db, row, row.seq + 1),
  ]);
  const startedAt = Date.now();
  const plan = planTurns(history, (row.parts ?? []) as Part[], provider.prefillFor(setup.model, setup.raw));
  const asm = new ReplyAssembler(plan.parts, row.seq, plan);
  const startChars = asm.content.length; // a Continue or resume starts with saved text
  let checkpointFailures = 0; // failed saves are retried: log the first and every 20th
  const checkpoints = new Checkpointer(
    db,
    messageId,
    row.seq,
    deps.checkpointMs,
    (e) => {
      metrics.checkpointFailures.inc();
      if (checkpointFailures++ % 20 === 0) glog.error({ err: errorFields(e), failures: checkpointFailures }, "checkpoint failed");
    },
    deps.finalSaveRetryMs,
  );
  glog.info({ provider: provider.name, model: setup.model, mode: plan.mode, fromSeq: row.seq, resumed: claimed }, "generation started");
  const publish = (events: StreamEvent[]) => {
    if (events.length) deps.publish?.(messageId, events);
  };
  const snapshotState = (status: MessageStatus) => ({ seq: asm.seq, status, parts: asm.parts, content: asm.content });

  // Ids are reserved in blocks before they are sent, so a crash can never
  // lead to an id being reused (docs/PROTOCOL.md §1.6). Sends are chained: tool progress
  // arrives from callbacks, and must still go out in id order.
  let ceiling = firstCeiling;
  let outbox: Promise<void> = Promise.resolve();
  const send = (events: StreamEvent[]): Promise<void> =>
    (outbox = outbox.then(async () => {
      if (!events.length) return;
      // Room for the closing events too. No id goes out unreserved: a database outage is waited out here.
      if (asm.seq + 4 > ceiling) ceiling = await retryWrite(() => reserveIds(db, messageId, asm.seq + 4), deps.finalSaveRetryMs);
      publish(events);
    }));
  let status: MessageStatus = row.status === "resuming" ? "resuming" : "pending";
  let error: ErrorBody | null = null;
  const setStatus = async (next: MessageStatus, model?: string) => {
    // A bug, never a user's doing: the reply still ends, but it is logged.
    if (!canMove(status, next)) glog.error({ from: status, to: next }, "illegal status change");
    status = next;
    publish([asm.emit({ event: "status", data: { status: next, ...(model ? { model } : {}) } })]);
  };

  const tools = setup.raw ? undefined : deps.tools; // a gateway client runs its own tools
  const toolSpecs = tools?.specs();
  const maxToolSteps = deps.maxToolSteps;
  const lastUser = [...history].reverse().find((m) => m.role === "user");
  let toolSteps = 0;
  let stepLimitReached = false;
  let turns = plan.turns;
  let firstTokenLogged = false;
  try {
    if (plan.rewritten || claimed) {
      // Earlier text changed (trimmed for prefill), or subscribers may hold
      // text of the dead run past its last save: announce it before new text.
      const message = { ...toMessage(row), parts: asm.parts, content: asm.content };
      publish([asm.emit({ event: "snapshot", data: { message } })]);
    }
    for (let turn = 0; ; turn++) {
      if (turn > 0) asm.nextTurn();
      const stream = provider.stream({
        turns,
        model: setup.model,
        system: setup.system,
        raw: setup.raw,
        signal,
        idleTimeoutMs: deps.idleTimeoutMs,
        ...(toolSpecs?.length ? { tools: toolSpecs, toolChoice: toolSteps >= maxToolSteps ? ("none" as const) : ("auto" as const) } : {}),
      });
      // Deltas ready together go out as one event (coalesce.ts).
      for await (const ev of coalesceDeltas(stream as AsyncIterable<ProviderEvent>)) {
        if (signal.aborted) break;
        if (ev.type === "error") {
          error = { code: ev.code, message: ev.message };
          break;
        }
        if (status === "pending" || status === "resuming") {
          await setStatus("streaming", ev.type === "message_start" ? ev.model : undefined);
          // Saved in order behind the scenes: the first token must not wait for it.
          void checkpoints.flush(snapshotState("streaming"));
        }
        const events = asm.apply(ev);
        if (!firstTokenLogged && asm.firstTokenAt !== undefined) {
          firstTokenLogged = true;
          glog.info({ firstTokenMs: asm.firstTokenAt - startedAt }, "first token");
        }
        if (events.length) {
          await send(events);
          checkpoints.offer(() => snapshotState("streaming"));
        }
      }
      if (signal.aborted || error) break;
      const calls = asm.turnToolCalls();
      if (!tools || asm.stopReason !== "tool_use" || calls.length === 0) break;
      if (toolSteps >= maxToolSteps) {
        stepLimitReached = true; // it asked for tools even with tool use off
        break;
      }
      toolSteps++;
      await runToolStep(calls, {
        registry: tools,
        asm,
        send,
        onResult: () => checkpoints.offer(() => snapshotState("streaming")),
        context: {
          userId: row.conversation.userId,
          db,
          currentMessageIds: [messageId, ...(lastUser ? [lastUser.id] : [])],
          searchLimiter: deps.searchLimiter,
        },
        signal,
      });
      await outbox;
      if (signal.aborted) break;
      turns = joinTurns(plan.base, replyTurns(asm.parts));
    }
  } catch (e) {
    // A provider must not throw, but a bug must not leave the row streaming.
    glog.error({ err: errorFields(e) }, "generation crashed");
    error = { code: "internal", message: "The reply failed because of a server error." };
  } finally {
    checkpoints.close();
  }
  await outbox.catch(() => {});

  asm.settleOpenBlocks();
  const finalStatus: MessageStatus = signal.aborted ? "interrupted" : error ? "failed" : "complete";
  if (error && !signal.aborted) publish([asm.emit({ event: "error", data: error })]);
  const durationMs = Date.now() - startedAt;
  const content = asm.content;
  const metadata = endMetadata({
    prev: (row.metadata ?? {}) as MessageMetadata,
    provider: provider.name,
    model: asm.model ?? setup.model, // the model the API said it used, else the one this run asked for
    status: finalStatus,
    stopReason: finalStatus === "complete" ? (stepLimitReached ? "max_tool_steps" : (asm.stopReason ?? null)) : undefined,
    stopSequence: asm.stopSequence,
    signal,
    toolSteps,
    asm,
    startedAt,
    durationMs,
    prices: deps.prices,
  });
  const errorCode = finalStatus === "failed" ? (error?.code ?? "internal") : undefined;
  recordGeneration({ status: finalStatus, provider: provider.name, durationMs, firstTokenMs: metadata.firstTokenMs, chars: content.length - startChars, errorCode });
  glog[finalStatus === "failed" ? "warn" : "info"](
    {
      status: finalStatus,
      stopReason: metadata.stopReason,
      durationMs,
      firstTokenMs: metadata.firstTokenMs,
      chars: content.length - startChars,
      outputTokens: asm.usage?.outputTokens,
      ...(toolSteps ? { toolSteps } : {}),
      ...(errorCode ? { errorCode } : {}),
    },
    "generation ended",
  );
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
    deps.persistFallback(messageId, finalState).catch((e) => glog.error({ err: errorFields(e) }, "final state not saved"));
  }
  const fallback = () =>
    toMessage({
      ...row,
      status: finalStatus,
      content,
      parts: asm.parts as never,
      metadata: metadata as never,
      error: (finalStatus === "failed" ? error : null) as never,
      seq: asm.seq + 1,
    });
  let message: Message;
  // Its owner now: a guest that signed up while it generated moved it into the account.
  let ownerId = row.conversation.userId;
  try {
    const saved = await db.message.findUnique({ where: { id: messageId }, include: { conversation: { select: { userId: true } } } });
    message = saved && saved.seq === asm.seq + 1 ? toMessage(saved) : fallback();
    ownerId = saved?.conversation.userId ?? ownerId;
  } catch {
    message = fallback(); // the database is unreachable: subscribers still get the end
  }
  publish([asm.emit({ event: "done", data: { message } })]);
  announceReplyEnd(deps.events, ownerId, message);
  return message;
}
