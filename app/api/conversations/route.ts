import { z } from "zod";
import { createConversation, listConversations, MAX_TITLE_CHARS } from "@/lib/chat/conversations";
import { json, readJson, requireUser, route } from "@/lib/http/api";

export const dynamic = "force-dynamic";

const CreateBody = z.object({ title: z.string().max(MAX_TITLE_CHARS).optional() }).strict();

export const GET = route(async (req) => {
  const { db, userId } = await requireUser(req);
  return json({ conversations: await listConversations(db, userId) });
});

export const POST = route(async (req) => {
  const { db, userId } = await requireUser(req);
  const body = await readJson(req, CreateBody);
  return json(await createConversation(db, userId, body.title), 201);
});
