import type { CheckpointState } from "../reply/lifecycle";
import type { Loaded } from "../reply/generation/generation";

export type JobRunnerKind = "in-process" | "inngest";

/** The job seam: where reply generations and durable saves run. */
export interface JobRunner {
  /**
   * Starts generating a pending assistant message; resolves once started (or
   * handed to Inngest), not when done. `admitted`: what the admission that
   * committed it read (a generation in this process starts from it).
   */
  startGeneration(messageId: string, admitted?: Loaded): Promise<void>;
  /** Saves a reply's state durably (seq-guarded): the fallback when the generation's own save failed. */
  persist(messageId: string, state: CheckpointState): Promise<void>;
  /** Names a conversation from its first exchange, in the background; resolves once asked, not when done. */
  requestTitle(conversationId: string): Promise<void>;
  readonly kind: JobRunnerKind;
}
