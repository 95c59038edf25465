import { z } from "zod";
import { json, readJson, requireUser, route } from "@/lib/http/api";
import { getSettings, updateSettings } from "@/lib/chat/settings";
import { MAX_INSTRUCTIONS_CHARS } from "@/lib/chat/types";

export const dynamic = "force-dynamic";

const PatchBody = z
  .object({
    streaming: z.boolean().optional(),
    // null: back to the deployment's default model.
    defaultModel: z.string().min(1).max(200).nullable().optional(),
    instructions: z.string().max(MAX_INSTRUCTIONS_CHARS).optional(),
    autoResume: z.boolean().optional(),
  })
  .strict();

export const GET = route(async (req) => {
  const { db, userId } = await requireUser(req);
  return json(await getSettings(db, userId));
});

export const PATCH = route(async (req) => {
  const { app, db, userId } = await requireUser(req);
  const body = await readJson(req, PatchBody);
  if (body.defaultModel) await app.models.require(body.defaultModel);
  return json(await updateSettings(db, userId, body));
});
