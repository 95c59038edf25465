import { z } from "zod";
import { getConversationWithMessages, MAX_TITLE_CHARS, renameConversation } from "@/lib/chat/conversations";
import { json, pathId, readJson, requireUser, route } from "@/lib/http/api";
import { stopConversationReplies } from "@/lib/reply/stop";
import { deleteConversationAndFiles } from "@/lib/files/attachments";

export const dynamic = "force-dynamic";

type P = { id: string };
const RenameBody = z.object({ title: z.string().trim().min(1, "title must not be empty").max(MAX_TITLE_CHARS) }).strict();

export const GET = route<P>(async (req, p) => {
  const { db, userId } = await requireUser(req);
  return json(await getConversationWithMessages(db, userId, pathId(p.id, "conversation")));
});

export const PATCH = route<P>(async (req, p) => {
  const { db, userId } = await requireUser(req);
  const id = pathId(p.id, "conversation");
  const body = await readJson(req, RenameBody);
  return json(await renameConversation(db, userId, id, body.title));
});

export const DELETE = route<P>(async (req, p) => {
  const { app, db, userId } = await requireUser(req);
  const id = pathId(p.id, "conversation");
  await stopConversationReplies(await app.stopping(), userId, id);
  await deleteConversationAndFiles(db, app.files, userId, id);
  return json(null, 204);
});
