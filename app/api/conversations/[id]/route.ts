import { z } from "zod";
import { getConversationWithMessages, MAX_TITLE_CHARS, updateConversation } from "@/lib/chat/conversations";
import { MAX_SYSTEM_PROMPT_CHARS } from "@/lib/chat/types";
import { json, pathId, readJson, requireUser, route } from "@/lib/http/api";
import { stopConversationReplies } from "@/lib/reply/stop";
import { conversationUsage } from "@/lib/usage/report";
import { deleteConversationAndFiles } from "@/lib/files/attachments";

export const dynamic = "force-dynamic";

type P = { id: string };
const PatchBody = z
  .object({
    title: z.string().trim().min(1, "title must not be empty").max(MAX_TITLE_CHARS).optional(),
    // null: back to the user's default model.
    model: z.string().min(1).max(200).nullable().optional(),
    systemPrompt: z.string().max(MAX_SYSTEM_PROMPT_CHARS).optional(),
  })
  .strict()
  .refine((b) => b.title !== undefined || b.model !== undefined || b.systemPrompt !== undefined, "give title, model or systemPrompt");

export const GET = route<P>(async (req, p) => {
  const { app, db, userId } = await requireUser(req);
  const found = await getConversationWithMessages(db, userId, pathId(p.id, "conversation"));
  return json({ ...found, usage: await conversationUsage(db, found.conversation.id, app.config.prices.currency) });
});

export const PATCH = route<P>(async (req, p) => {
  const { app, db, userId } = await requireUser(req);
  const id = pathId(p.id, "conversation");
  const body = await readJson(req, PatchBody);
  if (body.model) await app.models.require(body.model);
  return json(await updateConversation(db, userId, id, body, app.events));
});

export const DELETE = route<P>(async (req, p) => {
  const { app, db, userId } = await requireUser(req);
  const id = pathId(p.id, "conversation");
  await stopConversationReplies(await app.stopping(), userId, id);
  await deleteConversationAndFiles(db, app.files, userId, id, app.events);
  return json(null, 204);
});
