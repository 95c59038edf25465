// Stop (docs/PROTOCOL.md §5.3): aborts a reply's live generation wherever it
// runs — here, on another instance through the control channel, or, when its
// process died, by marking the orphan interrupted — and returns the saved
// message. A finished reply is returned as it is.
import type { Db } from "../platform/db";
import { AppError } from "../errors";
import { toMessage } from "../chat/conversations";
import type { Message } from "../chat/types";
import type { StreamBus } from "../stream/bus";
import type { ReplyControl } from "../stream/control";
import { awaitFinalMessage } from "../stream/final-message";
import type { GenerationRegistry } from "./registry";
import { announceEnds, generatingIn } from "./lifecycle";
import { interruptOrphan } from "./sweep";
import { isGenerating, USER_STOP } from "./status";
import type { UserEventSink } from "../events/types";

export type StopDeps = { db: Db; generations: GenerationRegistry; control: ReplyControl; bus: StreamBus; remoteStopWaitMs: number; events?: UserEventSink };

export async function stopReply(s: StopDeps, messageId: string): Promise<Message> {
  const live = s.generations.stop(messageId);
  if (live) return live;
  if (s.control.distributed) {
    const row = await s.db.message.findUnique({ where: { id: messageId } });
    if (row && isGenerating(row.status)) {
      // Another instance may run it: ask, and wait for its final message.
      const timeout = AbortSignal.timeout(s.remoteStopWaitMs);
      const final = awaitFinalMessage({ db: s.db, bus: s.bus }, messageId, null, timeout);
      await s.control.requestStop(messageId);
      const stopped = await final.catch(() => null);
      if (stopped && !isGenerating(stopped.status)) return stopped;
    }
  }
  // Nobody runs it (its process died): the saved partial is all there is.
  const orphaned = await interruptOrphan(s.db, messageId, { stopReason: USER_STOP });
  if (orphaned) {
    // Streams still following it (any tab, any instance) end with it, instead of waiting.
    const [message] = await announceEnds(s.db, (id, events) => s.bus.publish(id, events), [messageId], s.events);
    if (message) return message;
  }
  const row = await s.db.message.findUnique({ where: { id: messageId } });
  if (!row) throw new AppError("not_found", "message not found");
  return toMessage(row);
}

/** Stops every reply generating in a conversation (before deleting it). */
export async function stopConversationReplies(s: StopDeps, userId: string, conversationId: string): Promise<void> {
  const ids = await generatingIn(s.db, userId, conversationId);
  await Promise.all(ids.map((id) => stopReply(s, id)));
}
