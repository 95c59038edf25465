import { z } from "zod";
import { pathId, readJson, requireUser, route } from "@/lib/http/api";
import { createReply, requireContent } from "@/lib/reply/admission";
import { getSettings } from "@/lib/chat/settings";
import { deliverReply } from "@/lib/http/deliver";
import { idempotencyClaim } from "@/lib/http/idempotency-key";

export const dynamic = "force-dynamic";

const PostBody = z.object({ content: z.string(), attachments: z.array(z.string().uuid()).max(100).optional(), stream: z.boolean().optional() }).strict();

export const POST = route<{ id: string }>(async (req, p) => {
  const { app, db, userId } = await requireUser(req);
  const conversationId = pathId(p.id, "conversation");
  const body = await readJson(req, PostBody);
  const content = requireContent(body.content, !!body.attachments?.length);
  const claim = idempotencyClaim(req, "post", conversationId, { content, attachments: body.attachments ?? [] });
  const streaming = body.stream ?? (await getSettings(db, userId)).streaming;
  const r = await createReply(await app.admission(), userId, conversationId, content, body.attachments, claim);
  return deliverReply(req, app, db, { message: r.assistantMessage, seq: r.seq, userMessage: r.userMessage, streaming, replayed: r.replayed, admitted: r.admitted });
});
