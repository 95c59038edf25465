import { json, readJson, route } from "@/lib/http/api";
import { isSecureRequest, withCookies } from "@/lib/http/cookies";
import { requireSessionUser } from "@/lib/auth/session";
import { changePassword, passwordChangeSchema } from "@/lib/auth/password-change";
import { getApp } from "@/lib/runtime";

export const dynamic = "force-dynamic";

// Changes the account's password; every other session ends, this one continues under a new cookie.
export const POST = route(async (req) => {
  const app = getApp();
  const secure = isSecureRequest(req, app.config);
  const user = await requireSessionUser(app.accounts, req.headers, secure);
  const body = await readJson(req, passwordChangeSchema, 8 * 1024);
  const { cookie, revoked } = await changePassword(await app.accounts(), app.limiters, req.headers, secure, user, body);
  return withCookies(json({ revoked }), cookie.headers);
});
