import { json, readJson, route } from "@/lib/http/api";
import { isSecureRequest, withCookies } from "@/lib/http/cookies";
import { credentialsSchema, signUp } from "@/lib/auth";
import { getApp } from "@/lib/runtime";

export const dynamic = "force-dynamic";

// Email + password account, signed in at once; a guest caller's conversations
// and settings come along.
export const POST = route(async (req) => {
  const body = await readJson(req, credentialsSchema, 8 * 1024);
  const app = getApp();
  const { user, cookie } = await signUp(await app.accounts(), app.limiters, req.headers, isSecureRequest(req, app.config), body);
  return withCookies(json({ user: { id: user.id, email: user.email, guest: false } }, 201), cookie.headers);
});
