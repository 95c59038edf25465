import { json, pathId, requireUser, route } from "@/lib/http/api";
import { revokeApiKey } from "@/lib/gateway/keys";

export const dynamic = "force-dynamic";

type P = { id: string };

// Revokes one of the caller's keys (docs/API.md, "API keys"); anyone else's id is 404.
export const DELETE = route<P>(async (req, p) => {
  const { db, userId } = await requireUser(req);
  return json({ key: await revokeApiKey(db, userId, pathId(p.id, "API key")) });
});
