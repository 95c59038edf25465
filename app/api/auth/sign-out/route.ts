import { json, requireUser, route } from "@/lib/http/api";
import { isSecureRequest } from "@/lib/http/cookies";
import { signOut } from "@/lib/auth";

export const dynamic = "force-dynamic";

// Ends this session (its row is deleted, the cookie cleared).
export const POST = route(async (req) => {
  const { db } = await requireUser(req);
  const cookie = await signOut(db, req.headers, isSecureRequest(req));
  return json(null, 204, { "set-cookie": cookie.header });
});
