import { z } from "zod";
import { json, pathId, readJson, requireUser, route } from "@/lib/http/api";
import { createReply, MAX_CONTENT_CHARS, startGeneration } from "@/lib/replies";
import { getSettings } from "@/lib/settings";
import { generationDeps } from "@/lib/runtime";
import { AppError } from "@/lib/errors";
import { getStreamBus } from "@/lib/stream";
import { sseResponse } from "@/lib/http/sse";

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
  const bus = getStreamBus();
  await bus.open(assistantMessage, 0);
  const done = startGeneration(await generationDeps(), assistantMessage.id);
  if (streaming) {
    return sseResponse({ db, bus }, assistantMessage.id, { kind: "post", snapshot: assistantMessage, snapshotId: 0, userMessage }, req.signal);
  }
  // The generation is detached: if this request goes away, it still finishes.
  return json({ userMessage, assistantMessage: await done });
});
