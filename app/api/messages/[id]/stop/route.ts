import { requireMessage } from "@/lib/chat/conversations";
import { json, pathId, requireUser, route } from "@/lib/http/api";
import { stopReply } from "@/lib/reply/stop";

export const dynamic = "force-dynamic";

export const POST = route<{ id: string }>(async (req, p) => {
  const { app, db, userId } = await requireUser(req);
  const msg = await requireMessage(db, userId, pathId(p.id, "message"));
  return json(await stopReply(await app.stopping(), msg.id));
});
