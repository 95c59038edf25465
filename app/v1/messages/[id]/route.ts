import { json } from "@/lib/http/api";
import { gatewayRoute, requireKey } from "@/lib/http/gateway";
import { requireGatewayReply } from "@/lib/gateway/replies";
import { apiMessage } from "@/lib/gateway/wire";

export const dynamic = "force-dynamic";

// A reply as it stands, as the API's Message object (a Tether extension: docs/GATEWAY.md).
export const GET = gatewayRoute<{ id: string }>(async (req, p) => {
  const { db, caller } = await requireKey(req);
  const { message, model } = await requireGatewayReply(db, caller.userId, p.id);
  return json(apiMessage(message, model));
});
