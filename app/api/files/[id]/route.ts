// An uploaded file's bytes, for its owner only (another user's id: 404).
// Served with the type its content was recognized as, never sniffed again by
// the browser, and inline only for images and PDFs.
import { pathId, requireUser, route } from "@/lib/http/api";
import { readFile } from "@/lib/files/attachments";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async (req, p) => {
  const { app, db, userId } = await requireUser(req);
  const { info, bytes } = await readFile(db, app.files, userId, pathId(p.id, "file"));
  const type = info.kind === "text" ? "text/plain; charset=utf-8" : info.mediaType;
  const disposition = info.kind === "text" ? "attachment" : "inline";
  return new Response(Buffer.from(bytes), {
    headers: {
      "content-type": type,
      "content-length": String(bytes.byteLength),
      "content-disposition": `${disposition}; filename="${asciiName(info.name)}"; filename*=UTF-8''${encodeURIComponent(info.name)}`,
      "x-content-type-options": "nosniff",
      "cache-control": "private, max-age=3600",
      // Nothing opened from here runs script in the app's origin (PDFs keep the browser's viewer, which a sandbox would block).
      "content-security-policy":
        info.kind === "pdf" ? "default-src 'none'; frame-ancestors 'none'" : "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
    },
  });
});

/** The name for the plain `filename=` parameter: printable ASCII without quotes or backslashes. */
const asciiName = (name: string) => name.replace(/[^\x20-\x7e]|["\\]/g, "_");
