import { z } from "zod";
import { createConversation, listConversations, MAX_TITLE_CHARS } from "@/lib/chat/conversations";
import { MAX_SYSTEM_PROMPT_CHARS } from "@/lib/chat/types";
import { json, readJson, requireUser, route } from "@/lib/http/api";
import { deleteAllConversations } from "@/lib/chat/deletion";

export const dynamic = "force-dynamic";

const CreateBody = z
  .object({
    title: z.string().max(MAX_TITLE_CHARS).optional(),
    model: z.string().min(1).max(200).nullable().optional(),
    systemPrompt: z.string().max(MAX_SYSTEM_PROMPT_CHARS).optional(),
  })
  .strict();

export const GET = route(async (req) => {
  const { db, userId } = await requireUser(req);
  return json({ conversations: await listConversations(db, userId) });
});

export const POST = route(async (req) => {
  const { app, db, userId } = await requireUser(req);
  const body = await readJson(req, CreateBody);
  const model = body.model ? await app.models.require(body.model) : null;
  return json(await createConversation(db, userId, body.title, { model, systemPrompt: body.systemPrompt }, app.events), 201);
});

// Deleting every conversation is asked for explicitly: a bare DELETE (a client's slip) is refused.
const DeleteAllBody = z.object({ confirm: z.literal(true, 'send {"confirm": true} to delete every conversation') }).strict();

export const DELETE = route(async (req) => {
  const { app, userId } = await requireUser(req);
  await readJson(req, DeleteAllBody, 1024);
  return json({ deleted: await deleteAllConversations({ stopping: await app.stopping(), files: app.files, events: app.events }, userId) });
});
