import { requireMessage } from "@/lib/chat/conversations";
import { pathId, requireUser, route } from "@/lib/http/api";
import { sseResponse } from "@/lib/http/sse";

export const dynamic = "force-dynamic";

/** `Last-Event-ID` wins over `?after=`; anything but a whole number is unusable. */
function afterId(req: Request): number | null {
  const raw = req.headers.get("last-event-id") ?? new URL(req.url).searchParams.get("after");
  if (raw === null || !/^\d{1,15}$/.test(raw.trim())) return null;
  return Number(raw.trim());
}

export const GET = route<{ id: string }>(async (req, p) => {
  const { app, db, userId } = await requireUser(req);
  const msg = await requireMessage(db, userId, pathId(p.id, "message"));
  return sseResponse({ db, bus: app.bus, keepAliveMs: app.config.http.keepAliveMs }, msg.id, { kind: "resume", after: afterId(req) }, req.signal);
});
