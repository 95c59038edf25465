import { toMessage, requireMessage } from "@/lib/chat/conversations";
import { json, pathId, requireUser, route } from "@/lib/http/api";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async (req, p) => {
  const { db, userId } = await requireUser(req);
  return json(toMessage(await requireMessage(db, userId, pathId(p.id, "message"))));
});
