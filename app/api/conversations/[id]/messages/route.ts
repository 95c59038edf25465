import { z } from "zod";
import { json, pathId, readJson, requireUser, route } from "@/lib/http/api";
import { createReply, MAX_CONTENT_CHARS } from "@/lib/replies";
import { getSettings } from "@/lib/settings";
import { AppError } from "@/lib/errors";
import { deliverReply } from "@/lib/http/deliver";

export const dynamic = "force-dynamic";

const PostBody = z.object({ content: z.string(), stream: z.boolean().optional() }).strict();

export const POST = route<{ id: string }>(async (req, p) => {
  const { db, userId } = await requireUser(req);
  const conversationId = pathId(p.id, "conversation");
  const body = await readJson(req, PostBody);
  if (body.content.trim() === "") throw new AppError("invalid_input", "content must not be empty");
  if ([...body.content].length > MAX_CONTENT_CHARS) {
    throw new AppError("too_large", `content must be at most ${MAX_CONTENT_CHARS} characters`);
  }
  const streaming = body.stream ?? (await getSettings(db, userId)).streaming;
  const { userMessage, assistantMessage } = await createReply(db, userId, conversationId, body.content);
  return deliverReply(req, db, { message: assistantMessage, seq: 0, userMessage, streaming });
});
