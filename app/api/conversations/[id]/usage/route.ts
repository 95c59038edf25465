// A conversation's usage and cost, every reply summed (docs/API.md "Usage and cost").
import { requireConversation } from "@/lib/chat/conversations";
import { json, pathId, requireUser, route } from "@/lib/http/api";
import { conversationUsage } from "@/lib/usage/report";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async (req, p) => {
  const { app, db, userId } = await requireUser(req);
  const conversation = await requireConversation(db, userId, pathId(p.id, "conversation"));
  return json(await conversationUsage(db, conversation.id, app.config.prices.currency));
});
