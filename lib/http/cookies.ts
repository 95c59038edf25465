// Set-Cookie serialization for route handlers (values are iron-session seals,
// which are already cookie-safe).
import { requestIsHttps } from "./client-address";

type CookieOptions = { httpOnly: boolean; sameSite: "lax" | "strict"; secure: boolean; path: string; maxAge: number };

export function serializeCookie(name: string, value: string, o: CookieOptions): string {
  const parts = [`${name}=${value}`, `Path=${o.path}`, `Max-Age=${o.maxAge}`, `SameSite=${o.sameSite === "lax" ? "Lax" : "Strict"}`];
  if (o.httpOnly) parts.push("HttpOnly");
  if (o.secure) parts.push("Secure");
  return parts.join("; ");
}

/** Appends Set-Cookie headers (a session cookie may need two: lib/auth/cookies.ts). */
export function withCookies(res: Response, headers: string[]): Response {
  for (const header of headers) res.headers.append("set-cookie", header);
  return res;
}

/** What a server component has of its request: the headers (Next.js always sets X-Forwarded-Proto there). */
type RequestLike = Pick<Request, "headers"> & { url?: string };

/** What decides whether a request counts as HTTPS: SESSION_COOKIE_SECURE and TRUSTED_PROXY_HOPS. */
export type SecureRequestConfig = { session: { forceSecureCookie: boolean }; http: { trustedProxyHops: number } };

/**
 * Secure cookies (and HSTS) only over HTTPS: always with SESSION_COOKIE_SECURE,
 * else when a trusted proxy says so (lib/http/client-address.ts).
 */
export function isSecureRequest(req: RequestLike, config: SecureRequestConfig): boolean {
  return config.session.forceSecureCookie || requestIsHttps(req, config.http.trustedProxyHops);
}
