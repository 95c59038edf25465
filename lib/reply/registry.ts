// The generations running in this process, by assistant message id. A
// generation is detached from any request: only Stop (or deleting the
// conversation) aborts it.
import type { Message } from "../chat/types";
import { GenerationNotRunnable, runGeneration, type GenerationDeps, type Loaded } from "./generation/generation";
import { failToStart } from "./hand-over";

type Live = { controller: AbortController; done: Promise<Message> };

export class GenerationRegistry {
  private readonly live = new Map<string, Live>();

  /** `loaded`: what the caller just read of the reply (runGeneration). */
  start(deps: GenerationDeps, messageId: string, loaded?: Loaded): Promise<Message> {
    const existing = this.live.get(messageId);
    if (existing) return existing.done;
    const controller = new AbortController();
    const done = runGeneration(deps, messageId, controller.signal, loaded)
      .catch(async (e) => {
        if (!(e instanceof GenerationNotRunnable)) await failToStart(deps, messageId, e);
        throw e;
      })
      .finally(() => {
        if (this.live.get(messageId)?.done === done) this.live.delete(messageId);
      });
    this.live.set(messageId, { controller, done });
    return done;
  }

  isLive(messageId: string): boolean {
    return this.live.has(messageId);
  }

  liveIds(): string[] {
    return [...this.live.keys()];
  }

  whenDone(messageId: string): Promise<Message> | undefined {
    return this.live.get(messageId)?.done;
  }

  /** Aborts a live generation; resolves with its saved final message. `reason`: SHUTDOWN_STOP when a shutdown stops it (it may be resumed). */
  stop(messageId: string, reason?: string): Promise<Message> | undefined {
    const g = this.live.get(messageId);
    if (!g) return undefined;
    g.controller.abort(reason);
    return g.done;
  }
}
