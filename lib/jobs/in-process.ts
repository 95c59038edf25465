// Embedded mode: the Inngest functions' code runs right here, in the server
// process, by calling the same handlers the functions call.
import type { CheckpointState } from "../reply/lifecycle";
import type { ReplyJobs } from "../reply/jobs";
import type { JobRunner } from "./types";
import type { Loaded } from "../reply/generation/generation";
import { childLog, errorFields } from "../platform/log";

/** Waits before each retry of a failed persist (the first try is immediate). */
export const PERSIST_RETRY_DELAYS_MS = [100, 500, 2_000, 5_000];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const jobsLog = (messageId: string) => childLog({ component: "jobs", messageId });

export class InProcessJobRunner implements JobRunner {
  readonly kind = "in-process" as const;

  /** `jobs`: the job code (lib/reply/jobs.ts), handed over by the composition root once it is built. */
  constructor(
    private readonly jobs: () => ReplyJobs,
    private readonly persistRetryDelaysMs: readonly number[] = PERSIST_RETRY_DELAYS_MS,
  ) {}

  /**
   * Resolves once the generation is registered in this process (so Stop and
   * stream subscribers find it), not when it ends. Never rejects: a message
   * that is missing or not pending is skipped, and failures are logged.
   */
  async startGeneration(messageId: string, admitted?: Loaded): Promise<void> {
    try {
      const { beginGeneration, afterReply } = this.jobs();
      const begun = await beginGeneration(messageId, admitted);
      if (!begun.started) {
        jobsLog(messageId).warn({ reason: begun.reason, status: begun.status }, "generation not started");
        return;
      }
      begun.done.then(afterReply, (e) => jobsLog(messageId).error({ err: errorFields(e) }, "generation failed"));
    } catch (e) {
      jobsLog(messageId).error({ err: errorFields(e) }, "could not start the generation");
    }
  }

  /** Runs the title job here, detached; failures are logged. */
  async requestTitle(conversationId: string): Promise<void> {
    const { nameConversation } = this.jobs();
    nameConversation(conversationId).catch((e) => childLog({ component: "titles", conversationId }).warn({ err: errorFields(e) }, "title generation failed"));
  }

  /**
   * Saves the state now, retrying a few times while the database fails
   * (seq-guarded, so a retry can never regress the row). Rejects with the
   * last error if every attempt failed.
   */
  async persist(messageId: string, state: CheckpointState): Promise<void> {
    const { persistReply } = this.jobs();
    for (let attempt = 0; ; attempt++) {
      try {
        await persistReply(messageId, state);
        return;
      } catch (e) {
        const delay = this.persistRetryDelaysMs[attempt];
        if (delay === undefined) throw e;
        jobsLog(messageId).warn({ seq: state.seq, retryInMs: delay, err: errorFields(e) }, "save failed, retrying");
        await sleep(delay);
      }
    }
  }
}
