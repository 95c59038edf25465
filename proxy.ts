// First visit to a page: mint a guest session (no sign-up wall). The user row
// is created when the page first needs it. API routes never get one here:
// without a session they answer 401 (SPEC §3).
import { NextResponse, type NextRequest } from "next/server";
import { newUserId, readSession, sealSession, SESSION_COOKIE, sessionCookieOptions } from "./lib/session";
import { isSecureRequest } from "./lib/http/cookies";

export async function proxy(req: NextRequest) {
  const current = req.cookies.get(SESSION_COOKIE)?.value;
  if (await readSession(current)) return NextResponse.next();
  const sealed = await sealSession(newUserId());
  // Let this very request's page see the new session, and keep it after.
  req.cookies.set(SESSION_COOKIE, sealed);
  const res = NextResponse.next({ request: { headers: req.headers } });
  res.cookies.set(SESSION_COOKIE, sealed, sessionCookieOptions(isSecureRequest(req)));
  return res;
}

export const config = {
  matcher: ["/((?!api/|_next/|favicon.ico|robots.txt).*)"],
};
