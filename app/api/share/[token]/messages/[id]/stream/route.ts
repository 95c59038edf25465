import { pathId, route } from "@/lib/http/api";
import { requireShare } from "@/lib/http/share-access";
import { resumeAfter, sseResponse } from "@/lib/http/sse";
import { requireSharedMessage, sharedStreamView } from "@/lib/share/view";
import { watchLink } from "@/lib/share/watch";

export const dynamic = "force-dynamic";

// A reply of a shared conversation, live, for its viewers (docs/PROTOCOL.md §3.7):
// the owner's stream, its messages as viewers see them, ended at once by a revocation.
export const GET = route<{ token: string; id: string }>(async (req, p) => {
  const { app, db, share } = await requireShare(req, p.token);
  const saved = await requireSharedMessage(db, share, pathId(p.id, "message"));
  const { keepAliveMs } = app.config.http;
  // The token is checked again as often as a keep-alive goes out (lib/share/watch.ts).
  const watch = await watchLink(app.events, db, p.token, share, { recheckMs: keepAliveMs });
  const deps = { db, bus: app.bus, keepAliveMs };
  const signal = AbortSignal.any([req.signal, watch.signal]);
  return sseResponse(
    deps,
    saved.id,
    { kind: "resume", after: resumeAfter(req) },
    signal,
    sharedStreamView(saved, () => watch.close()),
  );
});
