import type { CheckpointState } from "../reply/lifecycle";

export type JobRunnerKind = "in-process" | "inngest";

/** The job seam: where reply generations and durable saves run. */
export interface JobRunner {
  /** Starts generating a pending assistant message; resolves once started (or handed to Inngest), not when done. */
  startGeneration(messageId: string): Promise<void>;
  /** Saves a reply's state durably (seq-guarded): the fallback when the generation's own save failed. */
  persist(messageId: string, state: CheckpointState): Promise<void>;
  /** Names a conversation from its first exchange, in the background; resolves once asked, not when done. */
  requestTitle(conversationId: string): Promise<void>;
  readonly kind: JobRunnerKind;
}
