// Guest cookies from before accounts existed held an iron-session seal of the
// user id. A page visit with one exchanges it once for a library session, so
// those guests keep their chats instead of silently starting over.
import { unsealData } from "iron-session";
import { makeSignature } from "better-auth/crypto";
import { sessionSecret } from "./session-secret";
import { authFor, GUEST_SESSION_SECONDS, type Accounts } from "./auth";
import { sessionCookie, type SessionCookie } from "./cookies";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A session cookie for the guest a legacy seal names, or null when it is not one (or that guest is gone). */
export async function exchangeLegacyGuestCookie(a: Accounts, value: string | undefined, secure: boolean): Promise<SessionCookie | null> {
  if (!value?.startsWith("Fe26.2*")) return null;
  let uid: unknown;
  try {
    ({ uid } = await unsealData<{ uid?: unknown }>(decodeURIComponent(value), { password: sessionSecret(a.settings), ttl: GUEST_SESSION_SECONDS }));
  } catch {
    return null; // forged, expired, or sealed with another secret
  }
  if (typeof uid !== "string" || !UUID_RE.test(uid)) return null;
  const user = await a.db.user.findUnique({ where: { id: uid }, select: { isAnonymous: true } });
  if (!user?.isAnonymous) return null;
  const ctx = await authFor(a).$context;
  const expiresAt = new Date(Date.now() + GUEST_SESSION_SECONDS * 1000);
  const session = await ctx.internalAdapter.createSession(uid, false, { expiresAt }, true);
  // Signed the way the library signs its session cookie (HMAC-SHA256 of the token).
  const signed = encodeURIComponent(`${session.token}.${await makeSignature(session.token, ctx.secret)}`);
  return sessionCookie(signed, secure);
}
