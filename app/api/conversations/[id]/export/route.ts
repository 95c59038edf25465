// A conversation as a Markdown or JSON download (docs/API.md).
import { pathId, requireUser, route } from "@/lib/http/api";
import { AppError } from "@/lib/errors";
import { EXPORT_FORMATS, exportConversation, type ExportFormat } from "@/lib/chat/export";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async (req, p) => {
  const { db, userId } = await requireUser(req);
  const id = pathId(p.id, "conversation");
  const format = (new URL(req.url).searchParams.get("format") ?? "markdown") as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) throw new AppError("invalid_input", `format must be one of: ${EXPORT_FORMATS.join(", ")}`);
  const file = await exportConversation(db, userId, id, format);
  return new Response(file.body, {
    headers: {
      "content-type": file.type,
      // An ASCII fallback and the exact (UTF-8) name (RFC 6266).
      "content-disposition": `attachment; filename="${file.filename.replace(/[^\x20-\x7e]|"/g, "_")}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
      "cache-control": "no-store",
    },
  });
});
