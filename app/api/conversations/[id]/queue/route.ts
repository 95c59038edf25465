import { z } from "zod";
import { json, pathId, readJson, requireUser, route } from "@/lib/http/api";
import { requireContent } from "@/lib/reply/admission";
import { listQueue, queueFollowUp } from "@/lib/reply/queue";

export const dynamic = "force-dynamic";

type P = { id: string };
const QueueBody = z.object({ content: z.string() }).strict();

// The conversation's queue of follow-ups (docs/PROTOCOL.md §3.8), oldest (next) first.
export const GET = route<P>(async (req, p) => {
  const { db, userId } = await requireUser(req);
  return json({ queue: await listQueue(db, userId, pathId(p.id, "conversation")) });
});

// Queues a message; it starts at once if the conversation is ready for it.
export const POST = route<P>(async (req, p) => {
  const { app, db, userId } = await requireUser(req);
  const conversationId = pathId(p.id, "conversation");
  const { content } = await readJson(req, QueueBody);
  return json(await queueFollowUp(db, userId, conversationId, requireContent(content), (id) => app.startQueued(id), app.events), 201);
});
