import { z } from "zod";
import { pathId, readJson, requireUser, route } from "@/lib/http/api";
import { continueReply } from "@/lib/reply/admission";
import { getSettings } from "@/lib/chat/settings";
import { deliverReply } from "@/lib/http/deliver";
import { idempotencyClaim } from "@/lib/http/idempotency-key";

export const dynamic = "force-dynamic";

const ContinueBody = z.object({ stream: z.boolean().optional() }).strict();

export const POST = route<{ id: string }>(async (req, p) => {
  const { app, db, userId } = await requireUser(req);
  const id = pathId(p.id, "message");
  const body = await readJson(req, ContinueBody);
  const streaming = body.stream ?? (await getSettings(db, userId)).streaming;
  const { message, seq, replayed, admitted } = await continueReply(await app.admission(), userId, id, idempotencyClaim(req, "continue", id, {}));
  return deliverReply(req, app, db, { message, seq, streaming, replayed, admitted });
});
