// Scaled mode: jobs are Inngest events; Inngest calls /api/inngest on any
// instance to run them (retries, concurrency per message, the cron sweep).
import type { Inngest } from "inngest";
import type { CheckpointState } from "../generation/checkpoint";
import { InProcessJobRunner } from "./in-process";
import type { JobRunner } from "./types";

type Client = Pick<Inngest, "send">;

export class InngestJobRunner implements JobRunner {
  readonly kind = "inngest" as const;

  /** `client` defaults to the app's Inngest client (loaded on first use, so embedded mode never loads the SDK). */
  constructor(
    private readonly client?: Client,
    private readonly local: InProcessJobRunner = new InProcessJobRunner(),
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
      console.error(`could not send the save of ${messageId} (seq ${state.seq}) to Inngest; saving it here`, e);
      await this.local.persist(messageId, state);
    }
  }
}
