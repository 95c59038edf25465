import { getDb } from "@/lib/db";
import { json, route } from "@/lib/http/api";
import { newUserId, sealSession, SESSION_COOKIE, sessionCookieOptions } from "@/lib/session";
import { ensureUser } from "@/lib/users";
import { serializeCookie, isSecureRequest } from "@/lib/http/cookies";

export const dynamic = "force-dynamic";

export const POST = route(async (req) => {
  const db = await getDb();
  const id = newUserId();
  await ensureUser(db, id);
  const cookie = serializeCookie(SESSION_COOKIE, await sealSession(id), sessionCookieOptions(isSecureRequest(req)));
  return json({ user: { id } }, 201, { "set-cookie": cookie });
});
