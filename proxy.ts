// A page without a live session (first visit, expired, revoked) gets a new
// guest (no sign-up wall). API routes never get one here: without a session
// they answer 401 (docs/PROTOCOL.md §3.1).
import { NextResponse, type NextRequest } from "next/server";
import { pageSessionCookie, SESSION_COOKIE } from "./lib/auth/session";
import { isSecureRequest } from "./lib/http/cookies";
import { securePageRequest } from "./lib/http/security-headers";
import { getApp } from "./lib/runtime";

export async function proxy(req: NextRequest) {
  // Per-request CSP nonce: on the request (Next.js renders its scripts with
  // it) and on the response. Every NextResponse.next() must forward req.headers.
  const app = getApp();
  const forceSecure = app.config.session.forceSecureCookie;
  const csp = securePageRequest(req, { dev: app.config.http.devCsp, forceSecure });
  const res = await sessionProxy(req, () => app.accounts(), isSecureRequest(req, forceSecure));
  res.headers.set("Content-Security-Policy", csp);
  return res;
}

async function sessionProxy(req: NextRequest, accounts: Parameters<typeof pageSessionCookie>[0], secure: boolean) {
  const cookie = await pageSessionCookie(accounts, req.headers, secure);
  if (!cookie) return NextResponse.next({ request: { headers: req.headers } });
  // Let this very request's page see the session, and keep it after.
  req.cookies.set(SESSION_COOKIE, decodeURIComponent(cookie.value));
  const res = NextResponse.next({ request: { headers: req.headers } });
  res.headers.append("set-cookie", cookie.header);
  return res;
}

export const config = {
  matcher: ["/((?!api/|_next/|favicon.ico|robots.txt).*)"],
};
