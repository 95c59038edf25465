import { json, route } from "@/lib/http/api";
import { revokeOtherSessions } from "@/lib/auth";
import { requireSessionUser } from "@/lib/auth/session";
import { getApp } from "@/lib/runtime";
import { isSecureRequest } from "@/lib/http/cookies";

export const dynamic = "force-dynamic";

// Signs out every other browser of this account; this one stays signed in.
export const POST = route(async (req) => {
  const app = getApp();
  const secure = isSecureRequest(req, app.config);
  const user = await requireSessionUser(app.accounts, req.headers, secure);
  return json({ revoked: await revokeOtherSessions(await app.accounts(), req.headers, secure, user) });
});
