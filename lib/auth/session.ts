// Sessions as the app sees them. The auth library (lib/auth) keeps one
// Session row per browser and a signed token in the session cookie
// (`__Host-tether_session` over HTTPS, `tether_session` over plain HTTP:
// lib/auth/cookies.ts), for guests and accounts alike; this resolves a
// request to its user.
import type { Db } from "../platform/db";
import { AppError } from "../errors";
import { createGuest, currentSession, sessionCookieValue, type Accounts, type SessionCookie, type SessionUser } from ".";
import { exchangeLegacyGuestCookie } from "./legacy";
import { errorFields, log } from "../platform/log";

export type { SessionUser };

/**
 * The request's user, or null without a live session. `secure`: the request
 * came over HTTPS (lib/http/cookies.ts isSecureRequest), which decides the
 * cookie's name. Never opens the database for a request without a cookie.
 */
export async function sessionUser(accounts: () => Promise<Accounts>, headers: Headers, secure: boolean): Promise<(SessionUser & { db: Db }) | null> {
  if (!sessionCookieValue(headers, secure)) return null;
  const a = await accounts();
  const found = await currentSession(a, headers, secure);
  return found ? { ...found.user, db: a.db } : null;
}

/** The request's user, or a 401. */
export async function requireSessionUser(accounts: () => Promise<Accounts>, headers: Headers, secure: boolean): Promise<SessionUser & { db: Db }> {
  const user = await sessionUser(accounts, headers, secure);
  if (!user) throw new AppError("unauthorized", "No session: call POST /api/auth/guest, sign in, or open the app first.");
  return user;
}

/**
 * For a page request: the cookie to set so the page has a live session — a
 * new guest when there is none (first visit, or it expired or was revoked),
 * the renewed cookie when the library extended the session, the same session
 * under the `__Host-` name when it came in the unprefixed cookie over HTTPS —
 * or null.
 */
export async function pageSessionCookie(accounts: () => Promise<Accounts>, headers: Headers, secure: boolean): Promise<SessionCookie | null> {
  try {
    const a = await accounts();
    const found = await currentSession(a, headers, secure);
    if (found) return found.cookie;
    const legacy = await exchangeLegacyGuestCookie(a, sessionCookieValue(headers, secure), secure);
    return legacy ?? (await createGuest(a, headers, secure)).cookie;
  } catch (e) {
    // Database down or locked: let the page render and report it itself.
    log.error({ component: "session", err: errorFields(e) }, "could not resolve the page's session");
    return null;
  }
}
