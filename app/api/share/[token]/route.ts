import { json, route } from "@/lib/http/api";
import { requireShare } from "@/lib/http/share-access";
import { sharedView } from "@/lib/share/view";

export const dynamic = "force-dynamic";

// A shared conversation as its viewers see it (docs/PROTOCOL.md §3.7): no session needed.
export const GET = route<{ token: string }>(async (req, p) => {
  const { db, share } = await requireShare(req, p.token);
  return json(await sharedView(db, share), 200, { "x-robots-tag": "noindex", "cache-control": "no-store" });
});
