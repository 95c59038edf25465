// The session cookie as we send it. The library decides its value (a signed
// session token, or empty to clear it); we decide its name and attributes:
// HttpOnly, SameSite=Lax, Secure over HTTPS, and a long life — the Session
// row's expiry, checked on every request, is what ends a session.
//
// Over HTTPS the name is `__Host-tether_session`: a browser keeps a cookie of
// that name only if it is Secure, Path=/ and has no Domain, so neither a
// sibling subdomain nor a network attacker on plain HTTP can plant one (and
// fixate a session). Over plain HTTP browsers refuse `__Host-` cookies, so the
// name there is `tether_session`, which is also what Secure deployments used
// before: read over HTTPS only when no prefixed cookie is present, re-set under
// the new name and cleared (docs/PROTOCOL.md §3.1).
import { serializeCookie } from "../http/cookies";
import { GUEST_SESSION_SECONDS, SESSION_COOKIE } from "./auth";

export { SESSION_COOKIE };
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

/** Chrome keeps no cookie longer than 400 days. */
const COOKIE_MAX_AGE = GUEST_SESSION_SECONDS - 60;

export type SessionCookie = {
  /** The cookie's value as sent (URL-encoded), or "" when it is cleared. */
  value: string;
  /** Its name: `__Host-tether_session` over HTTPS, else `tether_session`. */
  name: string;
  /** The Set-Cookie headers to send: the cookie, and over HTTPS the unprefixed one cleared. */
  headers: string[];
};

/** The session cookie's name for a request over HTTPS (secure) or plain HTTP. */
export function sessionCookieName(secure: boolean): string {
  return secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

/** The session cookie a request carries, by the name that fits it; `legacy`: the unprefixed one, over HTTPS. */
export function sentSessionCookie(headers: Headers, secure: boolean): { value: string; legacy: boolean } | undefined {
  const sent = new Map<string, string>();
  for (const piece of (headers.get("cookie") ?? "").split(";")) {
    const eq = piece.indexOf("=");
    const name = eq > 0 ? piece.slice(0, eq).trim() : "";
    const value = piece.slice(eq + 1).trim();
    if (name && value && !sent.has(name)) sent.set(name, value);
  }
  const own = sent.get(sessionCookieName(secure));
  if (own) return { value: own, legacy: false };
  const old = secure ? sent.get(SESSION_COOKIE) : undefined;
  return old ? { value: old, legacy: true } : undefined;
}

/** The session cookie the library set in `headers`, re-serialized with our name and attributes; null if none. */
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
  const name = sessionCookieName(secure);
  const headers = [serializeCookie(name, value, options)];
  if (secure) headers.push(serializeCookie(SESSION_COOKIE, "", { ...options, maxAge: 0 }));
  return { value, name, headers };
}
