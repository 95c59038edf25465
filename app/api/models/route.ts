import { json, requireUser, route } from "@/lib/http/api";

export const dynamic = "force-dynamic";

/**
 * The models one may choose (docs/API.md): the key's, narrowed by
 * ANTHROPIC_MODELS; the default marked; which provider answers (the UI
 * marks the demo model's canned replies).
 */
export const GET = route(async (req) => {
  const { app } = await requireUser(req);
  const { models, defaultModel } = await app.models.list();
  return json({ models, defaultModel, provider: app.provider.name });
});
