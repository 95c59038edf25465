// Starts the generation of a pending reply and delivers it: as SSE, or as
// JSON once it has ended. The generation is detached from this request. Every
// admitted reply comes here, which frees its admission's capacity slot.
import type { App } from "../app";
import type { Db } from "../platform/db";
import { awaitFinalMessage } from "../stream/final-message";
import { handOver } from "../reply/hand-over";
import type { Message } from "../chat/types";
import type { Loaded } from "../reply/generation/generation";
import { json } from "./api";
import { sseResponse } from "./sse";

export async function deliverReply(
  req: Request,
  app: Pick<App, "bus" | "events" | "jobs" | "config" | "capacity">,
  db: Db,
  /** `admitted`: what the admission read (the generation starts from it). */
  o: { message: Message; seq: number; userMessage?: Message; streaming: boolean; replayed?: boolean; admitted?: Loaded },
): Promise<Response> {
  // A repeat of an earlier start (Idempotency-Key): follow that reply from where it stands, start nothing.
  if (o.replayed) return answer(req, app, db, o);
  try {
    await handOver({ db, bus: app.bus, jobs: app.jobs, events: app.events }, o.message, o.seq, o.admitted);
  } finally {
    // In the registry now (in-process runner), or sent away, or failed: the admission's slot is done.
    app.capacity.handedOver(o.message.id);
  }
  return answer(req, app, db, o);
}

async function answer(
  req: Request,
  app: Pick<App, "bus" | "config">,
  db: Db,
  o: { message: Message; seq: number; userMessage?: Message; streaming: boolean },
): Promise<Response> {
  const { bus } = app;
  if (o.streaming) {
    const deps = { db, bus, keepAliveMs: app.config.http.keepAliveMs };
    return sseResponse(deps, o.message.id, { kind: "post", snapshot: o.message, snapshotId: o.seq, userMessage: o.userMessage }, req.signal);
  }
  const assistantMessage = await awaitFinalMessage({ db, bus }, o.message.id, o.seq);
  return json(o.userMessage ? { userMessage: o.userMessage, assistantMessage } : { assistantMessage });
}
