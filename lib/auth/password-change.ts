// Changing an account's password (docs/API.md, "Accounts"): the current
// password is checked by the auth library, within the sign-in attempt limits
// (a stolen session cannot guess it at leisure); every session of the account
// ends, and the caller gets a new one, so only this browser stays signed in.
import { isAPIError } from "better-auth/api";
import { z } from "zod";
import { AppError } from "../errors";
import { clientAddress } from "../http/client-address";
import { enforceSignInRate, type AttemptLimiters } from "./attempt-limits";
import { authFor } from "./auth";
import { sessionCookieFrom, type SessionCookie } from "./cookies";
import { requireAcceptablePassword } from "./password-policy";
import { asAppError, libraryHeaders, otherSessionCount, type Accounts, type SessionUser } from ".";

export const passwordChangeSchema = z
  .object({
    currentPassword: z.string().min(1, "Enter your current password.").max(1024, "Password is too long."),
    newPassword: z.string().min(1, "Enter a new password.").max(1024, "Password is too long."),
  })
  .strict();
export type PasswordChange = z.infer<typeof passwordChangeSchema>;

/** A guest has no password to change or to confirm with. */
export function requireAccount(user: SessionUser): asserts user is SessionUser & { email: string } {
  if (user.guest || !user.email) throw new AppError("forbidden", "Guests have no password: sign up to create an account first.");
}

/** The library's "wrong password" as ours; anything else as asAppError maps it. */
export function asPasswordError(e: unknown): unknown {
  if (isAPIError(e) && (e.body as { code?: string } | undefined)?.code === "INVALID_PASSWORD")
    return new AppError("wrong_password", "Your current password is not right.");
  return asAppError(e);
}

/** 429 before the password is checked: the same budget as signing in with this email from this address. */
export async function enforcePasswordAttempts(a: Accounts, limiters: AttemptLimiters, headers: Headers, email: string): Promise<void> {
  await enforceSignInRate(limiters, clientAddress(headers, a.settings.trustedProxyHops ?? 0), email);
}

/** Sets the new password and ends every other session; returns the caller's new session cookie and how many others ended. */
export async function changePassword(
  a: Accounts,
  limiters: AttemptLimiters,
  headers: Headers,
  secure: boolean,
  user: SessionUser,
  change: PasswordChange,
): Promise<{ cookie: SessionCookie; revoked: number }> {
  requireAccount(user);
  await enforcePasswordAttempts(a, limiters, headers, user.email);
  await requireAcceptablePassword(change.newPassword, user.email);
  const others = await otherSessionCount(a.db, user);
  try {
    const res = await authFor(a).api.changePassword({
      body: { currentPassword: change.currentPassword, newPassword: change.newPassword, revokeOtherSessions: true },
      headers: libraryHeaders(a, headers, secure),
      returnHeaders: true,
    });
    const cookie = sessionCookieFrom(res.headers, secure);
    if (!cookie?.value) throw new Error("the auth library set no session cookie after a password change");
    return { cookie, revoked: others };
  } catch (e) {
    throw asPasswordError(e);
  }
}
