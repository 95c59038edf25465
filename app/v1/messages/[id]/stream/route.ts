import { gatewayRoute, requireKey } from "@/lib/http/gateway";
import { gatewaySse } from "@/lib/http/gateway-sse";
import { requireGatewayReply } from "@/lib/gateway/replies";
import { apiMessageId, parseFrameId } from "@/lib/gateway/wire";

export const dynamic = "force-dynamic";

// Resumes a reply's event stream after the reader's Last-Event-ID, or from its start (docs/GATEWAY.md).
export const GET = gatewayRoute<{ id: string }>(async (req, p) => {
  const { app, db, caller } = await requireKey(req);
  const { message, model } = await requireGatewayReply(db, caller.userId, p.id);
  const after = parseFrameId(req.headers.get("last-event-id"));
  const deps = { db, bus: app.bus, keepAliveMs: app.config.http.keepAliveMs };
  return gatewaySse(deps, message.id, { model, after, headers: { "tether-message-id": apiMessageId(message.id) } }, req.signal);
});
