// Guest sessions: the cookie carries the user id, sealed (encrypted and
// authenticated) by iron-session. No database access here, so the proxy can
// mint a session for a first page visit; the user row is created on first use.
import { randomUUID } from "node:crypto";
import { sealData, unsealData } from "iron-session";
import { sessionSecret } from "./session-secret";

export const SESSION_COOKIE = "tether_session";
// Chrome caps cookie lifetime at 400 days; a guest's data lives behind it.
const TTL_SECONDS = 400 * 24 * 3600;

type SessionData = { uid: string };

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function sealSession(uid: string): Promise<string> {
  return sealData({ uid } satisfies SessionData, { password: sessionSecret(), ttl: TTL_SECONDS });
}

/** The user id in a cookie value, or null when it is missing, forged or expired. */
export async function readSession(cookieValue: string | undefined | null): Promise<string | null> {
  if (!cookieValue) return null;
  try {
    const data = await unsealData<Partial<SessionData>>(cookieValue, { password: sessionSecret(), ttl: TTL_SECONDS });
    return typeof data.uid === "string" && UUID_RE.test(data.uid) ? data.uid : null;
  } catch {
    return null;
  }
}

export function newUserId(): string {
  return randomUUID();
}

export function sessionCookieOptions(secure: boolean) {
  return {
    httpOnly: true,
    sameSite: "lax" as const,
    secure,
    path: "/",
    maxAge: TTL_SECONDS - 60,
  };
}
