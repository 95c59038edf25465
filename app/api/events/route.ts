import { requireUser, route } from "@/lib/http/api";
import { userEventsResponse } from "@/lib/http/events-sse";

export const dynamic = "force-dynamic";

/**
 * `Last-Event-ID` wins over `?after=` (as on reply streams). None: undefined
 * (a `snapshot` starts). Not a whole number: null, answered with `reset`.
 */
function afterId(req: Request): number | null | undefined {
  const raw = req.headers.get("last-event-id") ?? new URL(req.url).searchParams.get("after");
  if (raw === null) return undefined;
  return /^\d{1,15}$/.test(raw.trim()) ? Number(raw.trim()) : null;
}

export const GET = route(async (req) => {
  const { app, db, userId } = await requireUser(req);
  app.shutdown.refuseWhileDraining(); // 503: the client retries, reaching another instance
  // Ends when the client goes or the instance shuts down (the client then resumes by id).
  return userEventsResponse({ db, events: app.events, keepAliveMs: app.config.http.keepAliveMs }, userId, afterId(req), [req.signal, app.shutdown.signal]);
});
