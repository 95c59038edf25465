import { requireMessage } from "@/lib/chat/conversations";
import { json, pathId, requireUser, route } from "@/lib/http/api";
import { stopReply } from "@/lib/reply/admission";

export const dynamic = "force-dynamic";

export const POST = route<{ id: string }>(async (req, p) => {
  const { db, userId } = await requireUser(req);
  const msg = await requireMessage(db, userId, pathId(p.id, "message"));
  return json(await stopReply(db, msg.id));
});
