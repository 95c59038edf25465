// Scaled mode: jobs are Inngest events; Inngest calls /api/inngest on any
// instance to run them (retries, concurrency per message, the cron sweep).
import type { Inngest } from "inngest";
import type { CheckpointState } from "../reply/lifecycle";
import { InProcessJobRunner } from "./in-process";
import type { JobRunner } from "./types";
import { errorFields, log } from "../platform/log";

type Client = Pick<Inngest, "send">;

export class InngestJobRunner implements JobRunner {
  readonly kind = "inngest" as const;

  /**
   * `local` runs a job here when Inngest cannot be reached; `client` defaults
   * to the app's Inngest client (loaded on first use, so embedded mode never
   * loads the SDK).
   */
  constructor(
    private readonly local: InProcessJobRunner,
    private readonly client?: Client,
  ) {}

  private async inngest(): Promise<Client> {
    return this.client ?? (await import("../../inngest/client")).inngest;
  }

  /**
   * Resolves once Inngest accepted the event. Rejects if it could not be sent
   * (the message stays pending until the sweep marks it interrupted): running
   * it here instead could run it twice if the event did get through.
   */
  async startGeneration(messageId: string): Promise<void> {
    const { replyGenerate } = await import("../../inngest/client");
    await (await this.inngest()).send(replyGenerate.create({ messageId }));
  }

  /**
   * Asks Inngest to name the conversation; the event id drops a duplicate
   * request. If the event cannot be sent, names it here instead.
   */
  async requestTitle(conversationId: string): Promise<void> {
    const { conversationTitle } = await import("../../inngest/client");
    try {
      await (await this.inngest()).send(conversationTitle.create({ conversationId }, { id: `title-${conversationId}` }));
    } catch (e) {
      log.warn({ component: "jobs", conversationId, err: errorFields(e) }, "could not send the title job to Inngest; naming it here");
      await this.local.requestTitle(conversationId);
    }
  }

  /**
   * Hands the state to Inngest, which retries the save until the database
   * answers. If the event cannot be sent, saves here instead: saves are
   * seq-guarded, so doing both is harmless. The event id makes Inngest drop a
   * duplicate send of the same state.
   */
  async persist(messageId: string, state: CheckpointState): Promise<void> {
    const { replyPersist } = await import("../../inngest/client");
    try {
      await (await this.inngest()).send(replyPersist.create({ messageId, state }, { id: `persist-${messageId}-${state.seq}` }));
    } catch (e) {
      log.error({ component: "jobs", messageId, seq: state.seq, err: errorFields(e) }, "could not send the save to Inngest; saving it here");
      await this.local.persist(messageId, state);
    }
  }
}
