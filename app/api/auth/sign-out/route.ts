import { json, requireUser, route } from "@/lib/http/api";
import { isSecureRequest, withCookies } from "@/lib/http/cookies";
import { signOut } from "@/lib/auth";

export const dynamic = "force-dynamic";

// Ends this session (its row is deleted, the cookie cleared).
export const POST = route(async (req) => {
  const { app } = await requireUser(req);
  const cookie = await signOut(await app.accounts(), req.headers, isSecureRequest(req, app.config));
  return withCookies(json(null, 204), cookie.headers);
});
