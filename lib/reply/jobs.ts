// The plain code of Tether's jobs (generate a reply, persist a state, sweep
// stale replies, name a conversation). The Inngest functions (inngest/)
// call it inside their steps; the in-process job runner (lib/jobs) calls the
// very same code directly, so both modes behave alike. Built once by the
// composition root (lib/app.ts) from what it uses.
import type { Db } from "../platform/db";
import type { StreamBus } from "../stream/bus";
import type { LlmProvider } from "../llm/types";
import { GenerationNotRunnable, loadReply, type GenerationDeps, type Loaded } from "./generation/generation";
import type { GenerationRegistry } from "./registry";
import { announceEnds, saveCheckpoint, type CheckpointState } from "./lifecycle";
import { sweepStaleReplies } from "./sweep";
import { claimAbandoned } from "./resume";
import { waitingQueues } from "./queue";
import { handOver } from "./hand-over";
import { toMessage } from "../chat/conversations";
import { childLog, errorFields } from "../platform/log";
import { metrics } from "../platform/metrics";
import { generateTitle, isFirstExchange, type TitleOutcome } from "../chat/titles";
import { isGatewayReply } from "../gateway/request";
import type { Message, MessageStatus } from "../chat/types";
import type { UserEventSink } from "../events/types";

export type SkipReason = "not_found" | "not_assistant" | "not_pending" | "owner_active";

export type BeginResult = { started: true; done: Promise<Message> } | { started: false; reason: SkipReason; status?: MessageStatus };

/** What a generate job reports: a summary, never the content itself. */
export type GenerateReplyResult =
  | { messageId: string; ran: true; status: MessageStatus; seq: number; contentLength: number; resumed?: true }
  | { messageId: string; ran: false; reason: SkipReason; status?: MessageStatus; retryAfterMs?: number };

export type PersistReplyResult = { messageId: string; seq: number; applied: boolean };

/** What a sweep did: replies marked interrupted, and replies it resumed (docs/PROTOCOL.md §5.5). */
export type SweepOutcome = { interrupted: string[]; resumed: string[] };

export type ReplyJobsDeps = {
  db: () => Promise<Db>;
  bus: StreamBus;
  /** Owners' event streams: swept replies and generated titles are announced there. */
  events?: UserEventSink;
  generations: GenerationRegistry;
  provider: LlmProvider;
  /** Everything a generation needs (db resolved). */
  generationDeps: () => Promise<GenerationDeps>;
  /** Asks for a conversation's title (the job runner's requestTitle). */
  requestTitle: (conversationId: string) => Promise<void>;
  /** Starts a reply's generation (the job runner's startGeneration): auto-resume hands replies over through it. */
  startGeneration: (messageId: string, admitted?: Loaded) => Promise<void>;
  /** Starts a conversation's next queued message if it is ready for it (queue.ts); never throws. */
  startQueued?: (conversationId: string) => Promise<unknown>;
  /** AUTO_RESUME_ATTEMPTS: how often the sweep may continue one reply by itself (0: never). */
  autoResumeAttempts: number;
  /** True once this instance drains: it resumes nothing then (another instance, or the next start, will). */
  draining: () => boolean;
  titles: boolean;
  staleMs: number;
  resumeStaleMs: number;
};

export type ReplyJobs = ReturnType<typeof createReplyJobs>;

export function createReplyJobs(d: ReplyJobsDeps) {
  /**
   * Starts generating a pending assistant message in this process's registry
   * (so Stop on this instance reaches it). Anything but a pending assistant
   * message is left alone: a duplicate or late event is a no-op. Resolves once
   * the generation is registered.
   */
  async function beginGeneration(messageId: string, admitted?: Loaded): Promise<BeginResult> {
    // Already generating here (a duplicate delivered to the same instance).
    const live = d.generations.whenDone(messageId);
    if (live) return { started: true, done: live };
    const db = await d.db();
    // The row as the admission that committed it a moment ago has it, or as it is now.
    const row = admitted?.row.id === messageId ? admitted.row : await loadReply(db, messageId);
    if (!row) return { started: false, reason: "not_found" };
    if (row.role !== "assistant") return { started: false, reason: "not_assistant" };
    // Pending (a new start or Continue) or resuming (the sweep claimed it for auto-resume).
    if (row.status !== "pending" && row.status !== "resuming") return { started: false, reason: "not_pending", status: row.status };
    // The generation starts from this read (and whatever else the admission read) rather than reading the row again.
    const given: Loaded = admitted?.row === row ? admitted : { row };
    return { started: true, done: d.generations.start(await d.generationDeps(), messageId, given) };
  }

  /**
   * Runs the generation of a pending reply to its end (the generate-reply job).
   * A retry (`attempt` > 0: the previous attempt's worker may have died
   * mid-generation) resumes the reply from its saved partial content once no
   * one else can be generating it (lib/reply/resume.ts); until then it answers
   * `owner_active` with the time to ask again.
   */
  async function generateReply(messageId: string, opts: { attempt?: number } = {}): Promise<GenerateReplyResult> {
    const attempt = opts.attempt ?? 0;
    if (attempt > 0 && !d.generations.isLive(messageId)) return resumeReply(messageId, attempt);
    const begun = await beginGeneration(messageId);
    if (!begun.started) return { messageId, ran: false, reason: begun.reason, status: begun.status };
    if (attempt > 0) metrics.generationRetries.inc({ outcome: "live" });
    return finish(messageId, begun.done);
  }

  async function finish(messageId: string, done: Promise<Message>, resumed = false): Promise<GenerateReplyResult> {
    let message: Message;
    try {
      message = await done;
    } catch (e) {
      // It stopped being pending between our check and the generation's own.
      if (e instanceof GenerationNotRunnable) return { messageId, ran: false, reason: "not_pending" };
      throw e;
    }
    await afterReply(message);
    const saved = await (await d.db()).message.findUnique({ where: { id: messageId }, select: { seq: true } });
    return { messageId, ran: true, status: message.status, seq: saved?.seq ?? 0, contentLength: message.content.length, ...(resumed ? { resumed: true as const } : {}) };
  }

  async function resumeReply(messageId: string, attempt: number): Promise<GenerateReplyResult> {
    const jlog = childLog({ component: "jobs", messageId, attempt });
    const claim = await claimAbandoned(await d.db(), messageId, d.resumeStaleMs);
    switch (claim.kind) {
      case "missing":
        return { messageId, ran: false, reason: "not_found" };
      case "final":
        metrics.generationRetries.inc({ outcome: "finished" });
        return { messageId, ran: false, reason: "not_pending", status: claim.status };
      case "wait":
        metrics.generationRetries.inc({ outcome: "waiting" });
        jlog.info({ status: claim.status, retryAfterMs: claim.retryAfterMs }, "retry waits: the reply may still have a live owner");
        return { messageId, ran: false, reason: "owner_active", status: claim.status, retryAfterMs: claim.retryAfterMs };
      case "claimed":
        metrics.generationRetries.inc({ outcome: "resumed" });
        jlog.warn({ fromSeq: claim.seq }, "resuming a reply whose generation died");
        return finish(messageId, d.generations.start({ ...(await d.generationDeps()), claimed: true }, messageId), true);
    }
  }

  /**
   * Saves a reply's state. Guarded by seq: a retried or reordered save of an
   * older state changes nothing. A database error is thrown (the caller retries).
   */
  async function persistReply(messageId: string, state: CheckpointState, db?: Db): Promise<PersistReplyResult> {
    const applied = await saveCheckpoint(db ?? (await d.db()), messageId, state);
    return { messageId, seq: state.seq, applied };
  }

  /**
   * Settles replies abandoned by a dead generation or stopped by a shutdown
   * (sweep.ts): resumes them while auto-resume allows, through the same
   * hand-over as Continue (its snapshot first, ids above the dead run's), and
   * marks the rest interrupted. Streams still following an interrupted one
   * (on any instance, through the bus) get its final state as `done`,
   * instead of waiting forever; a resumed one goes on on the same stream.
   */
  async function sweepStale(opts: { staleMs?: number } = {}): Promise<SweepOutcome> {
    const db = await d.db();
    const maxAttempts = d.draining() ? 0 : d.autoResumeAttempts;
    const swept = await sweepStaleReplies(db, { staleMs: opts.staleMs ?? d.staleMs, liveIds: d.generations.liveIds(), maxAttempts });
    try {
      await announceEnds(db, (id, events) => d.bus.publish(id, events), swept.interrupted, d.events);
    } catch (e) {
      childLog({ component: "sweep" }).error({ err: errorFields(e) }, "could not announce swept replies");
    }
    await startWaitingQueues(db);
    for (const row of swept.resumed) {
      const slog = childLog({ component: "sweep", messageId: row.id });
      slog.warn({ attempt: row.resumeAttempts, fromSeq: row.seq }, "resuming a reply a crash or a restart cut short");
      metrics.generationRetries.inc({ outcome: "auto_resumed" });
      try {
        await handOver({ db, bus: d.bus, jobs: { startGeneration: d.startGeneration }, events: d.events }, toMessage(row), row.seq);
        d.events?.publish(row.conversation.userId, { event: "reply.started", data: { conversationId: row.conversationId, messageId: row.id } });
      } catch (e) {
        // Its log could not open (the bus is down): it stays resuming, and a later sweep takes it again once it is quiet.
        slog.error({ err: errorFields(e) }, "could not hand a resumed reply over");
      }
    }
    return { interrupted: swept.interrupted, resumed: swept.resumed.map((r) => r.id) };
  }

  /** Queues a refused or lost start left waiting although their conversation is ready (queue.ts). */
  async function startWaitingQueues(db: Db): Promise<void> {
    if (!d.startQueued || d.draining()) return;
    try {
      // One at a time; a failure is logged by startQueued and does not stop the others.
      for (const id of await waitingQueues(db)) await d.startQueued(id).catch(() => {});
    } catch (e) {
      childLog({ component: "sweep" }).error({ err: errorFields(e) }, "could not start waiting queues");
    }
  }

  /**
   * What follows a finished reply: a complete one starts the conversation's
   * next queued message (queue.ts), and the first complete answer asks for
   * a title (a job of its own). Never throws: neither is worth failing a
   * reply for.
   */
  async function afterReply(message: Message): Promise<void> {
    if (message.status !== "complete") return;
    const { conversationId } = message;
    await d.startQueued?.(conversationId).catch((e) => childLog({ component: "queue", conversationId }).error({ err: errorFields(e) }, "could not start the queue"));
    // A gateway conversation keeps its first message's title: no model call its client did not ask for (docs/GATEWAY.md).
    if (!d.titles || isGatewayReply(message.metadata)) return;
    try {
      if (await isFirstExchange(await d.db(), message)) await d.requestTitle(conversationId);
    } catch (e) {
      childLog({ component: "titles", conversationId }).warn({ err: errorFields(e) }, "could not ask for a title");
    }
  }

  /** The generate-title job: names the conversation from its first exchange. */
  async function nameConversation(conversationId: string): Promise<TitleOutcome> {
    return generateTitle({ db: await d.db(), provider: d.provider, events: d.events }, conversationId);
  }

  return { beginGeneration, generateReply, persistReply, sweepStale, afterReply, nameConversation };
}
