// Tether's Inngest functions, served at /api/inngest (scaled mode). Each one
// is a thin step around the job code in lib/reply/jobs.ts, which the
// in-process job runner also calls in embedded mode. The app (and so the job
// code) is looked up when a function runs, never at import.
import { RetryAfterError } from "inngest";
import { conversationTitle, inngest, purgeSchedule, replyGenerate, replyPersist, sweepSchedule } from "./client";
import { getApp } from "../lib/runtime";

const jobs = () => getApp().replyJobs;

/**
 * Generates one pending reply, on whichever instance Inngest calls; Stop
 * reaches it through that instance's registry. One run per message at a time,
 * and a message that is no longer pending is left alone, so a duplicate event
 * does nothing.
 *
 * When the worker dies mid-generation, Inngest retries the step (attempt ≥ 1),
 * on any instance: the retry resumes the reply from its last saved partial
 * content, once its row has been quiet long enough that no live owner can be
 * behind it (a RetryAfterError until then). Waiting and crashing both use up
 * attempts, hence a few more than Inngest's default.
 */
export const generateReplyFn = inngest.createFunction(
  {
    id: "generate-reply",
    name: "Generate reply",
    triggers: [replyGenerate],
    concurrency: { limit: 1, key: "event.data.messageId" },
    retries: 6,
  },
  async ({ event, step, attempt }) => {
    const { messageId } = event.data;
    return step.run("generate", async () => {
      const result = await jobs().generateReply(messageId, { attempt });
      if (!result.ran && result.reason === "owner_active") {
        // Thrown inside the step, so the step itself runs again later.
        throw new RetryAfterError("the reply may still be generating elsewhere", result.retryAfterMs ?? 5_000);
      }
      return result;
    });
  },
);

/**
 * Saves a reply's state durably: the generation's fallback when its own save
 * failed. Retried while the database is down; seq-guarded, so retries and
 * reordering are harmless.
 */
export const persistReplyFn = inngest.createFunction(
  {
    id: "persist-reply",
    name: "Persist reply state",
    triggers: [replyPersist],
    retries: 10,
  },
  async ({ event, step }) => {
    const { messageId, state } = event.data;
    return step.run("persist", () => jobs().persistReply(messageId, state));
  },
);

/** Every minute: replies whose generation died, or a shutdown stopped, are resumed or marked interrupted (docs/PROTOCOL.md §5.5). */
export const sweepStaleRepliesFn = inngest.createFunction(
  {
    id: "sweep-stale-replies",
    name: "Sweep stale replies",
    triggers: [sweepSchedule],
    concurrency: { limit: 1 },
  },
  async ({ step }) => {
    const { interrupted, resumed } = await step.run("sweep", () => jobs().sweepStale());
    return { swept: interrupted, resumed };
  },
);

/**
 * Every ten minutes: expired sessions, guests without a live session and
 * guests idle without a conversation are deleted (lib/auth/purge.ts), in
 * short batches. A guest with a reply generating is never touched.
 */
export const purgeIdleGuestsFn = inngest.createFunction(
  {
    id: "purge-idle-guests",
    name: "Purge expired sessions and idle guests",
    triggers: [purgeSchedule],
    concurrency: { limit: 1 },
  },
  async ({ step }) => ({ purged: await step.run("purge", () => getApp().purgeIdle()) }),
);

/**
 * Names a conversation after its first reply (Claude, or a summary with the
 * demo model). One run per conversation at a time; a title the user chose is
 * never replaced (the write is conditional).
 */
export const generateTitleFn = inngest.createFunction(
  {
    id: "generate-title",
    name: "Generate conversation title",
    triggers: [conversationTitle],
    concurrency: { limit: 1, key: "event.data.conversationId" },
    retries: 2,
  },
  async ({ event, step }) => step.run("title", () => jobs().nameConversation(event.data.conversationId)),
);

export const functions = [generateReplyFn, persistReplyFn, sweepStaleRepliesFn, purgeIdleGuestsFn, generateTitleFn];
