import { z } from "zod";
import { json, readJson, requireUser, route } from "@/lib/http/api";
import { createApiKey, listApiKeys } from "@/lib/gateway/keys";

export const dynamic = "force-dynamic";

// The name's length (in code points, after trimming) is checked by createApiKey.
const PostBody = z.object({ name: z.string() }).strict();

// The caller's API keys (docs/API.md, "API keys"): never a secret or its hash.
export const GET = route(async (req) => {
  const { db, userId } = await requireUser(req);
  return json({ keys: await listApiKeys(db, userId) });
});

// A new key: its secret is in this answer and nowhere else, ever.
export const POST = route(async (req) => {
  const { db, userId } = await requireUser(req);
  const { name } = await readJson(req, PostBody);
  const { key, secret } = await createApiKey(db, userId, name);
  return json({ key, secret }, 201);
});
