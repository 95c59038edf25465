// Show the version or branch containing a message (docs/API.md).
import { json, pathId, requireUser, route } from "@/lib/http/api";
import { selectBranch } from "@/lib/reply/revisions";

export const dynamic = "force-dynamic";

export const POST = route<{ id: string }>(async (req, p) => {
  const { db, userId } = await requireUser(req);
  return json(await selectBranch(db, userId, pathId(p.id, "message")));
});
