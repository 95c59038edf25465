// Edit and resend a user message: a new branch from it (docs/API.md).
import { z } from "zod";
import { pathId, readJson, requireUser, route } from "@/lib/http/api";
import { requireContent } from "@/lib/reply/admission";
import { editAndResend } from "@/lib/reply/revisions";
import { getSettings } from "@/lib/chat/settings";
import { deliverReply } from "@/lib/http/deliver";
import { idempotencyClaim } from "@/lib/http/idempotency-key";

export const dynamic = "force-dynamic";

const Body = z.object({ content: z.string(), attachments: z.array(z.string().uuid()).max(100).optional(), stream: z.boolean().optional() }).strict();

export const POST = route<{ id: string }>(async (req, p) => {
  const { app, db, userId } = await requireUser(req);
  const id = pathId(p.id, "message");
  const body = await readJson(req, Body);
  // Empty text is allowed here when the message keeps (or gets) files: checked in editAndResend.
  const content = requireContent(body.content, true);
  const claim = idempotencyClaim(req, "edit", id, { content, attachments: body.attachments ?? null });
  const streaming = body.stream ?? (await getSettings(db, userId)).streaming;
  const r = await editAndResend(await app.admission(), userId, id, content, body.attachments, claim);
  return deliverReply(req, app, db, { message: r.assistantMessage, seq: r.seq, userMessage: r.userMessage, streaming, replayed: r.replayed, admitted: r.admitted });
});
