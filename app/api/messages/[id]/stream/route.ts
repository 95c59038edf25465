import { requireMessage } from "@/lib/chat/conversations";
import { pathId, requireUser, route } from "@/lib/http/api";
import { resumeAfter, sseResponse } from "@/lib/http/sse";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async (req, p) => {
  const { app, db, userId } = await requireUser(req);
  const msg = await requireMessage(db, userId, pathId(p.id, "message"));
  return sseResponse({ db, bus: app.bus, keepAliveMs: app.config.http.keepAliveMs }, msg.id, { kind: "resume", after: resumeAfter(req) }, req.signal);
});
