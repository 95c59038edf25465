import { json } from "@/lib/http/api";
import { gatewayRoute, requireKey } from "@/lib/http/gateway";
import { requireGatewayReply } from "@/lib/gateway/replies";
import { apiMessage } from "@/lib/gateway/wire";
import { stopReply } from "@/lib/reply/stop";

export const dynamic = "force-dynamic";

// Stop, as the app's Stop (docs/PROTOCOL.md §5.3): answers the reply as it stands after it.
export const POST = gatewayRoute<{ id: string }>(async (req, p) => {
  const { app, db, caller } = await requireKey(req);
  const { message, model } = await requireGatewayReply(db, caller.userId, p.id);
  return json(apiMessage(await stopReply(await app.stopping(), message.id), model));
});
