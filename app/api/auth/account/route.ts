import { json, readJson, route } from "@/lib/http/api";
import { isSecureRequest, withCookies } from "@/lib/http/cookies";
import { requireSessionUser } from "@/lib/auth/session";
import { accountDeletionSchema, deleteAccount } from "@/lib/auth/account-deletion";
import { getApp } from "@/lib/runtime";

export const dynamic = "force-dynamic";

// Deletes the account and all its data, confirmed with its password; the session cookie is cleared.
export const DELETE = route(async (req) => {
  const app = getApp();
  const secure = isSecureRequest(req, app.config);
  const user = await requireSessionUser(app.accounts, req.headers, secure);
  const { password } = await readJson(req, accountDeletionSchema, 8 * 1024);
  const deletion = { stopping: await app.stopping(), files: app.files, events: app.events };
  const cookie = await deleteAccount(await app.accounts(), app.limiters, deletion, req.headers, secure, user, password);
  return withCookies(json(null, 204), cookie.headers);
});
