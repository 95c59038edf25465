import { getDb } from "@/lib/platform/db";
import { json, readJson, route } from "@/lib/http/api";
import { isSecureRequest } from "@/lib/http/cookies";
import { credentialsSchema, signIn } from "@/lib/auth";

export const dynamic = "force-dynamic";

// A new session for an account; a guest caller's conversations come along.
export const POST = route(async (req) => {
  const body = await readJson(req, credentialsSchema, 8 * 1024);
  const { user, cookie } = await signIn(await getDb(), req.headers, isSecureRequest(req), body);
  return json({ user: { id: user.id, email: user.email, guest: false } }, 200, { "set-cookie": cookie.header });
});
