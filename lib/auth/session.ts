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
import type { RequestRateLimiter } from "../platform/rate-limit";

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
 * Set by the proxy on a page request whose new guest was refused (the
 * per-address limit): the seconds until one may be created again. The proxy
 * drops any value a client sent under this name.
 */
export const GUEST_LIMITED_HEADER = "x-tether-guest-limited";

/** What a page request gets: a cookie to set, or none; `guestRefusedForS` when a new guest was over the limit. */
export type PageSession = { cookie: SessionCookie | null; guestRefusedForS?: number };

/**
 * For a page request: the cookie to set so the page has a live session — a
 * new guest when there is none (first visit, or it expired or was revoked),
 * the renewed cookie when the library extended the session, the same session
 * under the `__Host-` name when it came in the unprefixed cookie over HTTPS —
 * or none. A page `fetched` by the app (a client-side navigation or
 * prefetch) with a cookie that is no longer live makes no guest: that cookie
 * may have just been replaced by a sign-in or sign-up whose answer raced the
 * fetch, and a guest's cookie would then overwrite the account's.
 * Only the new guest counts against the per-address limit; over it,
 * the page renders without a session and says why (never a loop or a crash).
 */
export async function pageSession(
  accounts: () => Promise<Accounts>,
  guestLimiter: RequestRateLimiter,
  headers: Headers,
  secure: boolean,
  { fetched = false } = {},
): Promise<PageSession> {
  try {
    const a = await accounts();
    const found = await currentSession(a, headers, secure);
    if (found) return { cookie: found.cookie };
    const sent = sessionCookieValue(headers, secure);
    const legacy = await exchangeLegacyGuestCookie(a, sent, secure);
    if (legacy || (fetched && sent)) return { cookie: legacy };
    return { cookie: (await createGuest(a, guestLimiter, headers, secure)).cookie };
  } catch (e) {
    if (e instanceof AppError && e.code === "rate_limited") {
      log.warn({ component: "session" }, "new guest refused: too many from this address");
      return { cookie: null, guestRefusedForS: Number(e.headers["Retry-After"]) || 60 };
    }
    // Database down or locked: let the page render and report it itself.
    log.error({ component: "session", err: errorFields(e) }, "could not resolve the page's session");
    return { cookie: null };
  }
}

/** What a page tells a visitor whose new guest was refused (from GUEST_LIMITED_HEADER), or null. */
export function guestLimitNotice(headers: Headers): { retryInMinutes: number } | null {
  const seconds = Number(headers.get(GUEST_LIMITED_HEADER));
  if (!Number.isFinite(seconds) || seconds <= 0) return null;
  return { retryInMinutes: Math.max(1, Math.ceil(seconds / 60)) };
}
