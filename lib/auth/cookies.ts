// The session cookie as we send it. The library decides its value (a signed
// session token, or empty to clear it); we decide its attributes: HttpOnly,
// SameSite=Lax, Secure over HTTPS, and a long life — the Session row's
// expiry, checked on every request, is what ends a session.
import { serializeCookie } from "../http/cookies";
import { GUEST_SESSION_SECONDS, SESSION_COOKIE } from "./auth";

/** Chrome keeps no cookie longer than 400 days. */
const COOKIE_MAX_AGE = GUEST_SESSION_SECONDS - 60;

export type SessionCookie = {
  /** The cookie's value as sent (URL-encoded), or "" when it is cleared. */
  value: string;
  /** A complete Set-Cookie header for it. */
  header: string;
};

/** The session cookie the library set in `headers`, re-serialized with our attributes; null if none. */
export function sessionCookieFrom(headers: Headers, secure: boolean): SessionCookie | null {
  let found: string | null = null;
  for (const line of headers.getSetCookie()) {
    const pair = line.split(";", 1)[0];
    const eq = pair.indexOf("=");
    if (eq > 0 && pair.slice(0, eq).trim() === SESSION_COOKIE) found = pair.slice(eq + 1).trim();
  }
  return found === null ? null : sessionCookie(found, secure);
}

/** The session cookie with this (URL-encoded) value; "" clears it. */
export function sessionCookie(value: string, secure: boolean): SessionCookie {
  const options = { httpOnly: true, sameSite: "lax" as const, secure, path: "/", maxAge: value ? COOKIE_MAX_AGE : 0 };
  return { value, header: serializeCookie(SESSION_COOKIE, value, options) };
}
