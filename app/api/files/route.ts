// Upload a file to attach to a message (docs/API.md#files): the raw bytes as
// the body, the file's name in `?name=`. Checked by content; 201 with its id.
import { json, readBodyBytes, requireUser, route } from "@/lib/http/api";
import { largestFile, uploadFile } from "@/lib/files/attachments";

export const dynamic = "force-dynamic";

export const POST = route(async (req) => {
  const { app, db, userId } = await requireUser(req);
  const limits = app.config.files.limits;
  const bytes = await readBodyBytes(req, largestFile(limits));
  const name = new URL(req.url).searchParams.get("name");
  const info = await uploadFile(db, app.files, limits, userId, { name, declaredType: req.headers.get("content-type"), bytes });
  return json(info, 201);
});
