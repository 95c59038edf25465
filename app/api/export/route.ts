// Every conversation of the caller as one Markdown or JSON download, streamed (docs/API.md).
import { requireUser, route } from "@/lib/http/api";
import { download } from "@/lib/http/download";
import { exportFormat } from "@/lib/chat/export";
import { exportAllConversations } from "@/lib/chat/export-all";

export const dynamic = "force-dynamic";

export const GET = route(async (req) => {
  const { db, userId } = await requireUser(req);
  const format = exportFormat(new URL(req.url).searchParams.get("format"));
  const file = await exportAllConversations(db, userId, format);
  return download(file.body, file.filename, file.type);
});
