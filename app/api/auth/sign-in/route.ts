import { json, readJson, route } from "@/lib/http/api";
import { isSecureRequest, withCookies } from "@/lib/http/cookies";
import { credentialsSchema, signIn } from "@/lib/auth";
import { getApp } from "@/lib/runtime";

export const dynamic = "force-dynamic";

// A new session for an account; a guest caller's conversations come along.
export const POST = route(async (req) => {
  const body = await readJson(req, credentialsSchema, 8 * 1024);
  const app = getApp();
  const secure = isSecureRequest(req, app.config);
  const { user, cookie } = await signIn(await app.accounts(), app.limiters, req.headers, secure, body);
  return withCookies(json({ user: { id: user.id, email: user.email, guest: false } }, 200), cookie.headers);
});
