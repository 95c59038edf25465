// Tether's Inngest functions, served at /api/inngest (scaled mode). Each one
// is a thin step around the plain handler code in handlers.ts, which the
// in-process job runner also calls in embedded mode.
import { inngest, replyGenerate, replyPersist, sweepSchedule } from "./client";
import { generateReply, persistReply, sweepStale } from "./handlers";

/**
 * Generates one pending reply, on whichever instance Inngest calls; Stop
 * reaches it through that instance's registry. One run per message at a time,
 * and a message that is no longer pending is left alone, so a duplicate event
 * does nothing.
 */
export const generateReplyFn = inngest.createFunction(
  {
    id: "generate-reply",
    name: "Generate reply",
    triggers: [replyGenerate],
    concurrency: { limit: 1, key: "event.data.messageId" },
  },
  async ({ event, step }) => {
    const { messageId } = event.data;
    return step.run("generate", () => generateReply(messageId));
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
    return step.run("persist", () => persistReply(messageId, state));
  },
);

/** Every minute: replies whose generation died are marked interrupted. */
export const sweepStaleRepliesFn = inngest.createFunction(
  {
    id: "sweep-stale-replies",
    name: "Sweep stale replies",
    triggers: [sweepSchedule],
    concurrency: { limit: 1 },
  },
  async ({ step }) => {
    const swept = await step.run("sweep", () => sweepStale());
    return { swept };
  },
);

export const functions = [generateReplyFn, persistReplyFn, sweepStaleRepliesFn];
