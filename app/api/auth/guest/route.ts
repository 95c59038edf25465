import { getDb } from "@/lib/platform/db";
import { json, route } from "@/lib/http/api";
import { isSecureRequest } from "@/lib/http/cookies";
import { createGuest } from "@/lib/auth";

export const dynamic = "force-dynamic";

// A new guest and its session cookie, whatever session the caller had (SPEC §3).
export const POST = route(async (req) => {
  const { userId, cookie } = await createGuest(await getDb(), req.headers, isSecureRequest(req));
  return json({ user: { id: userId } }, 201, { "set-cookie": cookie.header });
});
