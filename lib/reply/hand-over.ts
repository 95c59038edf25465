// Handing a reply to its generation: the one path every start takes (a post,
// Continue, regenerate, edit, and the server's own auto-resume). The reply's
// log opens on the bus at its saved state, then the job runner starts the
// generation; a runner that cannot take it, or a generation that cannot even
// load its reply, fails the reply visibly (failToStart).
import type { Db } from "../platform/db";
import type { StreamBus } from "../stream/bus";
import type { JobRunner } from "../jobs/types";
import type { Message } from "../chat/types";
import type { UserEventSink } from "../events/types";
import type { GenerationDeps, Loaded } from "./generation/generation";
import { endOrphan } from "./lifecycle";
import { toMessage } from "../chat/conversations";
import { announceReplyEnd } from "../events/types";
import { errorFields, log } from "../platform/log";

export type HandOverDeps = { db: Db; bus: StreamBus; jobs: Pick<JobRunner, "startGeneration">; events?: UserEventSink };

/** Opens the reply's log as of event `seq` and starts its generation (from `admitted`, what its admission read); resolves once started or failed. */
export async function handOver(d: HandOverDeps, message: Message, seq: number, admitted?: Loaded): Promise<void> {
  await d.bus.open(message, seq);
  try {
    await d.jobs.startGeneration(message.id, admitted);
  } catch (e) {
    // Could not hand it over (e.g. Inngest unreachable): the reply fails visibly.
    await failToStart({ db: d.db, publish: (id, ev) => d.bus.publish(id, ev), events: d.events }, message.id, e);
  }
}

/**
 * A generation that could not even start (database error while loading):
 * mark the reply failed and end its subscribers' streams.
 */
export async function failToStart(deps: Pick<GenerationDeps, "db" | "publish" | "events">, messageId: string, cause: unknown): Promise<void> {
  log.error({ component: "generation", messageId, err: errorFields(cause) }, "generation could not start");
  try {
    const seq = await endOrphan(deps.db, messageId, "failed", {
      error: { code: "internal", message: "The reply could not be started because of a server error." },
    });
    if (seq === null) return;
    const row = await deps.db.message.findUniqueOrThrow({ where: { id: messageId }, include: { conversation: { select: { userId: true } } } });
    const message = toMessage(row);
    deps.publish?.(messageId, [{ id: seq, event: "done", data: { message } }]);
    announceReplyEnd(deps.events, row.conversation.userId, message);
  } catch (e) {
    log.error({ component: "generation", messageId, err: errorFields(e) }, "could not mark the reply failed");
  }
}
