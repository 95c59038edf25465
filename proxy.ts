// A page without a live session (first visit, expired, revoked) gets a new
// guest (no sign-up wall), within the per-address guest limit: over it, the
// page renders without a session and says so. A stale cookie on the app's own
// fetch of a page is left alone (lib/auth/session.ts, pageSession). API routes
// never get a guest here: without a session they answer 401 (docs/PROTOCOL.md §3.1),
// and neither do viewers of a shared link (§3.7).
import { NextResponse, type NextRequest } from "next/server";
import { GUEST_LIMITED_HEADER, pageSession } from "./lib/auth/session";
import type { RequestRateLimiter } from "./lib/platform/rate-limit";
import { isSecureRequest } from "./lib/http/cookies";
import { securePageRequest, strictTransportSecurity } from "./lib/http/security-headers";
import { getApp } from "./lib/runtime";
import { isSharedPage, SHARED_PAGE_HEADER } from "./lib/http/share-access";

export async function proxy(req: NextRequest) {
  // Per-request CSP nonce: on the request (Next.js renders its scripts with
  // it) and on the response. Every NextResponse.next() must forward req.headers.
  const app = getApp();
  const secure = isSecureRequest(req, app.config);
  const csp = securePageRequest(req, { dev: app.config.http.devCsp, https: secure });
  // A shared link's page (/s/:token) is for viewers without a session: none is
  // made for them, and the layout renders it alone (no sidebar, no account).
  req.headers.delete(SHARED_PAGE_HEADER); // only this proxy may say it
  const shared = isSharedPage(req.nextUrl.pathname);
  if (shared) req.headers.set(SHARED_PAGE_HEADER, "1");
  // An image or a style sheet (the icon) is no visit: it never makes a guest either.
  const dest = req.headers.get("sec-fetch-dest");
  const subresource = dest !== null && !["document", "iframe", "empty"].includes(dest);
  const res =
    shared || subresource ? NextResponse.next({ request: { headers: req.headers } }) : await sessionProxy(req, () => app.accounts(), app.limiters.guests, secure);
  res.headers.set("Content-Security-Policy", csp);
  const hsts = strictTransportSecurity(secure, app.config.http.hstsMaxAgeS);
  if (hsts) res.headers.set("Strict-Transport-Security", hsts);
  return res;
}

async function sessionProxy(req: NextRequest, accounts: Parameters<typeof pageSession>[0], guestLimiter: RequestRateLimiter, secure: boolean) {
  req.headers.delete(GUEST_LIMITED_HEADER); // only this proxy may say it
  // A client-side navigation or prefetch is a fetch, not a document load
  // (Next.js hides its own `rsc` header from here): lib/auth/session.ts.
  const dest = req.headers.get("sec-fetch-dest");
  const fetched = dest !== null && dest !== "document" && dest !== "iframe";
  const { cookie, guestRefusedForS } = await pageSession(accounts, guestLimiter, req.headers, secure, { fetched });
  if (guestRefusedForS) req.headers.set(GUEST_LIMITED_HEADER, String(guestRefusedForS));
  if (!cookie) return NextResponse.next({ request: { headers: req.headers } });
  // Let this very request's page see the session, and keep it after.
  req.cookies.set(cookie.name, decodeURIComponent(cookie.value));
  const res = NextResponse.next({ request: { headers: req.headers } });
  for (const header of cookie.headers) res.headers.append("set-cookie", header);
  return res;
}

export const config = {
  // The gateway (/v1, docs/GATEWAY.md) authenticates by API key: its clients never get a guest.
  matcher: ["/((?!api/|v1/|_next/|favicon.ico|robots.txt).*)"],
};
