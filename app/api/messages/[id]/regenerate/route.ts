// A new version of the conversation's last reply (docs/API.md).
import { z } from "zod";
import { pathId, readJson, requireUser, route } from "@/lib/http/api";
import { regenerateReply } from "@/lib/reply/revisions";
import { getSettings } from "@/lib/chat/settings";
import { deliverReply } from "@/lib/http/deliver";
import { idempotencyClaim } from "@/lib/http/idempotency-key";

export const dynamic = "force-dynamic";

const Body = z.object({ stream: z.boolean().optional() }).strict();

export const POST = route<{ id: string }>(async (req, p) => {
  const { app, db, userId } = await requireUser(req);
  const id = pathId(p.id, "message");
  const body = await readJson(req, Body);
  const streaming = body.stream ?? (await getSettings(db, userId)).streaming;
  const { message, seq, replayed, admitted } = await regenerateReply(await app.admission(), userId, id, idempotencyClaim(req, "regenerate", id, {}));
  return deliverReply(req, app, db, { message, seq, streaming, replayed, admitted });
});
