import { z } from "zod";
import { json, pathId, readJson, requireUser, route } from "@/lib/http/api";
import { requireContent } from "@/lib/reply/admission";
import { editQueued, removeQueued } from "@/lib/reply/queue";

export const dynamic = "force-dynamic";

type P = { id: string };
const EditBody = z.object({ content: z.string() }).strict();

// One queued message (docs/PROTOCOL.md §3.8): 404 once it has started, or for another user's.
export const PATCH = route<P>(async (req, p) => {
  const { app, db, userId } = await requireUser(req);
  const { content } = await readJson(req, EditBody);
  return json(await editQueued(db, userId, pathId(p.id, "queued message"), requireContent(content), app.events));
});

export const DELETE = route<P>(async (req, p) => {
  const { app, db, userId } = await requireUser(req);
  await removeQueued(db, userId, pathId(p.id, "queued message"), app.events);
  return json(null, 204);
});
