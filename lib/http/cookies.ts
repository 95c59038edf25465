// Set-Cookie serialization for route handlers (values are iron-session seals,
// which are already cookie-safe).
type CookieOptions = { httpOnly: boolean; sameSite: "lax" | "strict"; secure: boolean; path: string; maxAge: number };

export function serializeCookie(name: string, value: string, o: CookieOptions): string {
  const parts = [`${name}=${value}`, `Path=${o.path}`, `Max-Age=${o.maxAge}`, `SameSite=${o.sameSite === "lax" ? "Lax" : "Strict"}`];
  if (o.httpOnly) parts.push("HttpOnly");
  if (o.secure) parts.push("Secure");
  return parts.join("; ");
}

/** Secure cookies only over HTTPS (directly or behind a TLS proxy). */
export function isSecureRequest(req: Request, forceSecure = false): boolean {
  if (forceSecure) return true; // SESSION_COOKIE_SECURE
  const proto = req.headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
  return proto ? proto === "https" : new URL(req.url).protocol === "https:";
}
