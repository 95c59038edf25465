// Search over the user's own titles and messages (docs/API.md).
import { z } from "zod";
import { json, requireUser, route } from "@/lib/http/api";
import { AppError } from "@/lib/errors";
import { MAX_QUERY_CHARS, searchUserConversations } from "@/lib/chat/search";
import { enforceSearchRate } from "@/lib/platform/rate-limit";

export const dynamic = "force-dynamic";

const Query = z.string().trim().min(1).max(MAX_QUERY_CHARS);

export const GET = route(async (req) => {
  const { app, db, userId } = await requireUser(req);
  const q = Query.safeParse(new URL(req.url).searchParams.get("q") ?? "");
  if (!q.success) throw new AppError("invalid_input", `q must be 1 to ${MAX_QUERY_CHARS} characters`);
  await enforceSearchRate(app.limiters.search, userId);
  return json({ results: await searchUserConversations(db, userId, q.data) });
});
