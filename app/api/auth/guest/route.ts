import { json, route } from "@/lib/http/api";
import { isSecureRequest, withCookies } from "@/lib/http/cookies";
import { createGuest } from "@/lib/auth";
import { getApp } from "@/lib/runtime";

export const dynamic = "force-dynamic";

// A new guest and its session cookie, whatever session the caller had
// (docs/PROTOCOL.md §3.4); at most GUEST_RATE_LIMIT per client address and window.
export const POST = route(async (req) => {
  const app = getApp();
  const { userId, cookie } = await createGuest(await app.accounts(), app.limiters.guests, req.headers, isSecureRequest(req, app.config));
  return withCookies(json({ user: { id: userId } }, 201), cookie.headers);
});
