// Accounts and sessions for the app: thin calls into the auth library, with
// its errors turned into ours (stable codes, never a 500 for bad input).
import { isAPIError } from "better-auth/api";
import { z } from "zod";
import type { Db } from "../platform/db";
import { AppError } from "../errors";
import { enforceSignInRate, enforceSignUpRate, type AttemptLimiters } from "./attempt-limits";
import { requireAcceptablePassword } from "./password-policy";
import { enforceGuestRate, type RequestRateLimiter } from "../platform/rate-limit";
import { authFor, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, SESSION_COOKIE, type Accounts } from "./auth";
import { sentSessionCookie, sessionCookie, sessionCookieFrom, type SessionCookie } from "./cookies";
import { clientAddress } from "../http/client-address";

export { SESSION_COOKIE } from "./auth";
export { sessionCookieName } from "./cookies";
export type { Accounts, AuthSettings } from "./auth";
export type { SessionCookie } from "./cookies";

export type SessionUser = {
  userId: string;
  /** A guest: no email and password yet. */
  guest: boolean;
  email: string | null;
  sessionId: string;
  expiresAt: Date;
};

/**
 * What the library may see of a request: the session cookie, the user agent,
 * and the client address as we trust it (lib/http/client-address.ts), which
 * it keeps on new sessions. Forwarding headers a client wrote never reach it.
 */
export function libraryHeaders(a: Accounts, from: Headers, secure: boolean, { cookie = true } = {}): Headers {
  const h = new Headers();
  const agent = from.get("user-agent");
  if (agent) h.set("user-agent", agent);
  const address = clientAddress(from, a.settings.trustedProxyHops ?? 0);
  if (address !== "unknown") h.set("x-forwarded-for", address);
  const session = cookie ? sessionCookieValue(from, secure) : undefined;
  if (session) h.set("cookie", `${SESSION_COOKIE}=${session}`);
  return h;
}

/** The session cookie's value in a request over HTTPS (secure) or plain HTTP, by the name that fits it. */
export function sessionCookieValue(headers: Headers, secure: boolean): string | undefined {
  return sentSessionCookie(headers, secure)?.value;
}

/**
 * The request's live session, or null (no cookie, forged, expired, revoked).
 * One indexed lookup per call; at most once a day it also extends the
 * session, and `cookie` then carries the renewed cookie for whoever can send
 * it — as it does when the session came in the unprefixed cookie over HTTPS.
 */
export async function currentSession(a: Accounts, headers: Headers, secure: boolean): Promise<{ user: SessionUser; cookie: SessionCookie | null } | null> {
  const sent = sentSessionCookie(headers, secure);
  if (!sent) return null;
  const moved = sent.legacy ? sessionCookie(sent.value, secure) : null;
  const cached = a.sessions?.get(sent.value);
  if (cached) return { user: cached, cookie: moved };
  const began = a.sessions?.begin() ?? 0;
  const res = await authFor(a)
    .api.getSession({ headers: libraryHeaders(a, headers, secure), returnHeaders: true })
    .catch((e: unknown) => {
      // The library wraps database failures; ours are mapped (503) by their own error.
      throw isAPIError(e) && e.cause ? e.cause : e;
    });
  const found = res.response;
  if (!found) return null;
  const user = found.user as typeof found.user & { isAnonymous?: boolean | null };
  const renewed = sessionCookieFrom(res.headers, secure);
  const verified: SessionUser = {
    userId: user.id,
    guest: !!user.isAnonymous,
    email: user.isAnonymous ? null : user.email,
    sessionId: found.session.id,
    expiresAt: new Date(found.session.expiresAt),
  };
  a.sessions?.set(sent.value, verified, began);
  return { user: verified, cookie: renewed?.value ? renewed : moved };
}

/**
 * A new guest and its session (any session the request carries is left
 * alone), within the per-address guest limit: 429 `rate_limited` beyond it,
 * before anything is written.
 */
export async function createGuest(a: Accounts, limiter: RequestRateLimiter, headers: Headers, secure: boolean): Promise<{ userId: string; cookie: SessionCookie }> {
  await enforceGuestRate(limiter, clientAddress(headers, a.settings.trustedProxyHops ?? 0));
  const res = await authFor(a).api.signInAnonymous({ headers: libraryHeaders(a, headers, secure, { cookie: false }), returnHeaders: true });
  return { userId: res.response.user.id, cookie: requireCookie(res.headers, secure) };
}

export const credentialsSchema = z.object({
  email: z.string().trim().max(254, "Email address is too long.").pipe(z.email("Enter a valid email address.")),
  // The library enforces the length rules; this only bounds the input.
  password: z.string().min(1, "Enter a password.").max(1024, "Password is too long."),
});
export type Credentials = z.infer<typeof credentialsSchema>;

export type SignedIn = { user: { id: string; email: string }; cookie: SessionCookie };

/**
 * Creates an account and signs it in. Called with a guest's session, the
 * guest's data moves to it. A taken email is refused exactly like any other
 * sign-up the server will not do, after the same password-hashing work, so
 * the answer does not tell whether the email has an account (docs/SECURITY.md).
 */
export async function signUp(a: Accounts, limiters: AttemptLimiters, headers: Headers, secure: boolean, c: Credentials): Promise<SignedIn> {
  await enforceSignUpRate(limiters, clientAddress(headers, a.settings.trustedProxyHops ?? 0)); // 429 before any hashing
  // Depends on the input alone, so it is checked before whether the email is known.
  await requireAcceptablePassword(c.password, c.email);
  const auth = authFor(a);
  try {
    const res = await auth.api.signUpEmail({
      body: { email: c.email, password: c.password, name: "" },
      headers: libraryHeaders(a, headers, secure),
      returnHeaders: true,
    });
    return { user: { id: res.response.user.id, email: res.response.user.email }, cookie: requireCookie(res.headers, secure) };
  } catch (e) {
    const refused = asAppError(e);
    if (refused instanceof AppError && refused.code === "sign_up_failed" && !hashedBeforeRefusing(e)) {
      // The library refuses a taken email before hashing; a new one costs a hash.
      await (await auth.$context).password.hash(c.password);
    }
    throw refused;
  }
}

/** The library's refusals that come after it hashed the password (a lost race for the email). */
const hashedBeforeRefusing = (e: unknown) => isAPIError(e) && (e.body as { code?: string } | undefined)?.code === "FAILED_TO_CREATE_USER";

/**
 * Signs in with email and password. Called with a guest's session, the
 * guest's data moves to the account. Limited per client address and per
 * address and email (lib/auth/attempt-limits.ts). An unknown email costs the
 * library a password hash, as a known one costs a verification.
 */
export async function signIn(a: Accounts, limiters: AttemptLimiters, headers: Headers, secure: boolean, c: Credentials): Promise<SignedIn> {
  await enforceSignInRate(limiters, clientAddress(headers, a.settings.trustedProxyHops ?? 0), c.email); // 429 before any password is checked
  try {
    const res = await authFor(a).api.signInEmail({
      body: { email: c.email, password: c.password, rememberMe: true },
      headers: libraryHeaders(a, headers, secure),
      returnHeaders: true,
    });
    return { user: { id: res.response.user.id, email: res.response.user.email }, cookie: requireCookie(res.headers, secure) };
  } catch (e) {
    throw asAppError(e);
  }
}

/** Ends the request's session (its row is deleted; every instance forgets it: lib/auth/auth.ts) and returns the clearing cookie. */
export async function signOut(a: Accounts, headers: Headers, secure: boolean): Promise<SessionCookie> {
  const res = await authFor(a).api.signOut({ headers: libraryHeaders(a, headers, secure), returnHeaders: true });
  return sessionCookieFrom(res.headers, secure) ?? sessionCookie("", secure);
}

/** Ends every other session of the caller's user; returns how many there were. */
export async function revokeOtherSessions(a: Accounts, headers: Headers, secure: boolean, user: SessionUser): Promise<number> {
  const others = await otherSessionCount(a.db, user);
  try {
    await authFor(a).api.revokeOtherSessions({ headers: libraryHeaders(a, headers, secure) });
  } catch (e) {
    throw asAppError(e);
  }
  return others;
}

/** How many other live sessions (browsers) the user has. */
export function otherSessionCount(db: Db, user: SessionUser): Promise<number> {
  return db.session.count({ where: { userId: user.userId, expiresAt: { gt: new Date() }, NOT: { id: user.sessionId } } });
}

function requireCookie(headers: Headers, secure: boolean): SessionCookie {
  const cookie = sessionCookieFrom(headers, secure);
  if (!cookie?.value) throw new Error("the auth library set no session cookie");
  return cookie;
}

/** The library's answer as one of our errors: clear 4xx for what the caller can fix. */
export function asAppError(e: unknown): unknown {
  if (!isAPIError(e)) return e;
  const code = (e.body as { code?: string } | undefined)?.code ?? "";
  if (code.startsWith("USER_ALREADY_EXISTS") || code === "FAILED_TO_CREATE_USER") return signUpFailed();
  if (code === "INVALID_EMAIL_OR_PASSWORD") return new AppError("invalid_credentials", "Wrong email or password.");
  if (code === "PASSWORD_TOO_SHORT") return new AppError("weak_password", `Use at least ${MIN_PASSWORD_LENGTH} characters for your password.`);
  if (code === "PASSWORD_TOO_LONG") return new AppError("weak_password", `Use at most ${MAX_PASSWORD_LENGTH} characters for your password.`);
  if (code === "INVALID_EMAIL") return new AppError("invalid_input", "Enter a valid email address.");
  if (e.statusCode === 401) return new AppError("unauthorized", "No session: sign in or open the app first.");
  if (e.statusCode >= 400 && e.statusCode < 500) return new AppError("invalid_input", e.message || "The request was refused.");
  return e;
}

/** The one answer to a sign-up the server will not do for a reason it does not tell (a taken email among them). */
export const signUpFailed = () => new AppError("sign_up_failed", "Could not create an account with this email and password. If you already have one, sign in.");
