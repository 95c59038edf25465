import { route } from "@/lib/http/api";
import { requireShare } from "@/lib/http/share-access";
import { shareEventsResponse } from "@/lib/http/share-sse";
import { watchLink } from "@/lib/share/watch";

export const dynamic = "force-dynamic";

// `changed` / `revoked` for a shared conversation's viewers (docs/PROTOCOL.md §3.7).
export const GET = route<{ token: string }>(async (req, p) => {
  const { app, db, share } = await requireShare(req, p.token);
  app.shutdown.refuseWhileDraining(); // 503: the viewer reconnects, reaching another instance
  const { keepAliveMs } = app.config.http;
  const watch = (onChange: () => void) => watchLink(app.events, db, p.token, share, { recheckMs: keepAliveMs, onChange });
  return shareEventsResponse(keepAliveMs, watch, [req.signal, app.shutdown.signal]);
});
