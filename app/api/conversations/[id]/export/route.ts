// A conversation as a Markdown or JSON download (docs/API.md).
import { pathId, requireUser, route } from "@/lib/http/api";
import { download } from "@/lib/http/download";
import { exportConversation, exportFormat } from "@/lib/chat/export";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async (req, p) => {
  const { db, userId } = await requireUser(req);
  const id = pathId(p.id, "conversation");
  const format = exportFormat(new URL(req.url).searchParams.get("format"));
  const file = await exportConversation(db, userId, id, format);
  return download(file.body, file.filename, file.type);
});
