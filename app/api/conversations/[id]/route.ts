import { z } from "zod";
import { getConversationWithMessages, MAX_TITLE_CHARS, updateConversation } from "@/lib/chat/conversations";
import { MAX_SYSTEM_PROMPT_CHARS } from "@/lib/chat/types";
import { json, pathId, readJson, requireUser, route } from "@/lib/http/api";
import { conversationUsage } from "@/lib/usage/report";
import { deleteConversationFully } from "@/lib/chat/deletion";
import { queueOf } from "@/lib/reply/queue";

export const dynamic = "force-dynamic";

type P = { id: string };
const PatchBody = z
  .object({
    title: z.string().trim().min(1, "title must not be empty").max(MAX_TITLE_CHARS).optional(),
    // null: back to the user's default model.
    model: z.string().min(1).max(200).nullable().optional(),
    systemPrompt: z.string().max(MAX_SYSTEM_PROMPT_CHARS).optional(),
    pinned: z.boolean().optional(),
    archived: z.boolean().optional(),
  })
  .strict()
  .refine((b) => Object.values(b).some((v) => v !== undefined), "give title, model, systemPrompt, pinned or archived");

export const GET = route<P>(async (req, p) => {
  const { app, db, userId } = await requireUser(req);
  const found = await getConversationWithMessages(db, userId, pathId(p.id, "conversation"));
  const [usage, queue] = await Promise.all([conversationUsage(db, found.conversation.id, app.config.prices.currency), queueOf(db, found.conversation.id)]);
  return json({ ...found, usage, queue });
});

export const PATCH = route<P>(async (req, p) => {
  const { app, db, userId } = await requireUser(req);
  const id = pathId(p.id, "conversation");
  const body = await readJson(req, PatchBody);
  if (body.model) await app.models.require(body.model);
  return json(await updateConversation(db, userId, id, body, app.events));
});

export const DELETE = route<P>(async (req, p) => {
  const { app, userId } = await requireUser(req);
  const id = pathId(p.id, "conversation");
  await deleteConversationFully({ stopping: await app.stopping(), files: app.files, events: app.events }, userId, id);
  return json(null, 204);
});
