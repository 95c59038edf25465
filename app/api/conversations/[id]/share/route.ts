import { json, pathId, requireUser, route } from "@/lib/http/api";
import { createShareLink, getShareLink, revokeShareLink } from "@/lib/share/links";

export const dynamic = "force-dynamic";

type P = { id: string };

// The conversation's public link (docs/PROTOCOL.md §3.7): owner only, 404 for anyone else.
export const GET = route<P>(async (req, p) => {
  const { db, userId } = await requireUser(req);
  return json({ share: await getShareLink(db, userId, pathId(p.id, "conversation")) });
});

export const POST = route<P>(async (req, p) => {
  const { app, db, userId } = await requireUser(req);
  const { link, created } = await createShareLink(db, userId, pathId(p.id, "conversation"), app.events);
  return json({ share: link }, created ? 201 : 200);
});

export const DELETE = route<P>(async (req, p) => {
  const { app, db, userId } = await requireUser(req);
  await revokeShareLink(db, userId, pathId(p.id, "conversation"), app.events);
  return json(null, 204);
});
