// Starts an admitted gateway reply and answers its client (docs/GATEWAY.md):
// the Messages API's event stream, or its Message object once the reply has
// ended. The reply's id is in the response headers: a stream sends them at
// once, so its client can resume or stop it whatever becomes of its
// connection; a Message comes whole, at the end.
import type { App } from "../app";
import type { Db } from "../platform/db";
import { handOver } from "../reply/hand-over";
import { awaitFinalMessage } from "../stream/final-message";
import type { GatewayStart } from "../gateway/admission";
import { apiErrorType, apiMessage, apiMessageId } from "../gateway/wire";
import { json } from "./api";
import { apiError } from "./gateway";
import { gatewaySse } from "./gateway-sse";

export async function deliverGatewayReply(
  req: Request,
  app: Pick<App, "bus" | "events" | "jobs" | "config" | "capacity">,
  db: Db,
  s: GatewayStart,
  o: { streaming: boolean; model: string },
): Promise<Response> {
  const id = s.assistantMessage.id;
  try {
    await handOver({ db, bus: app.bus, jobs: app.jobs, events: app.events }, s.assistantMessage, s.seq);
  } finally {
    app.capacity.handedOver(id); // the admission's slot is done either way
  }
  const headers = { "tether-message-id": apiMessageId(id), "tether-conversation-id": s.conversation.id };
  if (o.streaming) return gatewaySse({ db, bus: app.bus, keepAliveMs: app.config.http.keepAliveMs }, id, { model: o.model, after: null, headers }, req.signal);
  // A client that leaves before the end gets nothing more; the reply goes on, saved, and can be fetched.
  const final = await awaitFinalMessage({ db, bus: app.bus }, id, s.seq, req.signal).catch((e: unknown) => {
    if (req.signal.aborted) return null;
    throw e;
  });
  if (!final) return new Response(null, { status: 499, headers });
  if (final.status === "failed") {
    const e = final.error ?? { code: "internal", message: "The reply failed." };
    return apiError(apiErrorType(e.code), e.message, headers);
  }
  return json(apiMessage(final, o.model), 200, headers);
}
