import { z } from "zod";
import { json, readJson, requireUser, route } from "@/lib/http/api";
import { getSettings, updateSettings } from "@/lib/chat/settings";

export const dynamic = "force-dynamic";

const PatchBody = z.object({ streaming: z.boolean() }).strict();

export const GET = route(async (req) => {
  const { db, userId } = await requireUser(req);
  return json(await getSettings(db, userId));
});

export const PATCH = route(async (req) => {
  const { db, userId } = await requireUser(req);
  const body = await readJson(req, PatchBody);
  return json(await updateSettings(db, userId, body));
});
