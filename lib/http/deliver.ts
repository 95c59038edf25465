// Starts the generation of a pending reply and delivers it: as SSE, or as
// JSON once it has ended. The generation is detached from this request.
import type { Db } from "../platform/db";
import { getStreamBus } from "../stream";
import { awaitFinalMessage } from "../stream/final-message";
import { getJobRunner } from "../jobs";
import { getProvider } from "../llm";
import { failToStart } from "../reply/generation/generation";
import type { Message } from "../chat/types";
import { json } from "./api";
import { sseResponse } from "./sse";

export async function deliverReply(
  req: Request,
  db: Db,
  o: { message: Message; seq: number; userMessage?: Message; streaming: boolean },
): Promise<Response> {
  const bus = getStreamBus();
  await bus.open(o.message, o.seq);
  try {
    await getJobRunner().startGeneration(o.message.id);
  } catch (e) {
    // Could not hand it over (e.g. Inngest unreachable): the reply fails visibly.
    await failToStart({ db, provider: getProvider(), publish: (id, ev) => bus.publish(id, ev) }, o.message.id, e);
  }
  if (o.streaming) {
    return sseResponse({ db, bus }, o.message.id, { kind: "post", snapshot: o.message, snapshotId: o.seq, userMessage: o.userMessage }, req.signal);
  }
  const assistantMessage = await awaitFinalMessage({ db, bus }, o.message.id, o.seq);
  return json(o.userMessage ? { userMessage: o.userMessage, assistantMessage } : { assistantMessage });
}
