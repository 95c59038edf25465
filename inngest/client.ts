// The Inngest client and the typed events of Tether's jobs. Importing this
// module opens nothing: `next build` imports it through the serve route.
// Event payloads are validated when a function runs (a malformed event fails
// at once, without retries) and when they are sent.
import { Inngest, cron, eventType } from "inngest";
import { z } from "zod";
import type { MessageMetadata, MessageStatus, Part } from "../lib/chat/types";

export const inngest = new Inngest({ id: "tether" });

const messageId = z.string().min(1);
const status = z.enum(["pending", "streaming", "resuming", "complete", "interrupted", "failed"] satisfies MessageStatus[]);

// Mirrors CheckpointState (lib/reply/lifecycle.ts); parts and metadata
// are the generation's own output, only their outer shape is checked. Loose,
// so a field added to CheckpointState later travels through unharmed.
const checkpointState = z.looseObject({
  seq: z.number().int().nonnegative(),
  status,
  parts: z.custom<Part[]>((v) => Array.isArray(v), "parts must be an array"),
  content: z.string(),
  error: z.object({ code: z.string(), message: z.string() }).nullable().optional(),
  metadata: z.custom<MessageMetadata>((v) => typeof v === "object" && v !== null && !Array.isArray(v)).optional(),
});

/** Generate the reply of a pending assistant message. */
export const replyGenerate = eventType("tether/reply.generate", {
  schema: z.object({ messageId }),
});

/** Save a reply's state (a checkpoint or its final state), seq-guarded. */
export const replyPersist = eventType("tether/reply.persist", {
  schema: z.object({ messageId, state: checkpointState }),
});

/** Name a conversation from its first exchange (unless the user has named it). */
export const conversationTitle = eventType("tether/conversation.title", {
  schema: z.object({ conversationId: z.string().min(1) }),
});

/** The stale-stream sweep runs every minute. */
export const sweepSchedule = cron("* * * * *");

/** Expired sessions and idle guests are purged every ten minutes. */
export const purgeSchedule = cron("*/10 * * * *");
