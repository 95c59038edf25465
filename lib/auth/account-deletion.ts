// Deleting an account (docs/API.md, "Accounts"): confirmed with its password
// (checked by the auth library, within the sign-in attempt limits). Its
// sessions end first, so no request of its own writes meanwhile; then its
// conversations go the way one deleted conversation does (running replies
// stopped, files removed: lib/chat/deletion.ts), then its unsent files, the
// guests that moved into it, and the user row with its settings and
// credentials (ON DELETE CASCADE).
import { z } from "zod";
import { deleteAllConversations, type DeletionDeps } from "../chat/deletion";
import { removeUnreferenced } from "../files/attachments";
import type { AttemptLimiters } from "./attempt-limits";
import { authFor } from "./auth";
import { sessionCookie, type SessionCookie } from "./cookies";
import { asPasswordError, enforcePasswordAttempts, requireAccount } from "./password-change";
import { libraryHeaders, type Accounts, type SessionUser } from ".";

export const accountDeletionSchema = z.object({ password: z.string().min(1, "Enter your password to confirm.").max(1024, "Password is too long.") }).strict();

/** Deletes the caller's account and everything in it; returns the cookie that clears the session. */
export async function deleteAccount(
  a: Accounts,
  limiters: AttemptLimiters,
  deletion: DeletionDeps,
  headers: Headers,
  secure: boolean,
  user: SessionUser,
  password: string,
): Promise<SessionCookie> {
  requireAccount(user);
  await enforcePasswordAttempts(a, limiters, headers, user.email);
  try {
    await authFor(a).api.verifyPassword({ body: { password }, headers: libraryHeaders(a, headers, secure) });
  } catch (e) {
    throw asPasswordError(e);
  }
  const db = a.db;
  const merged = (await db.user.findMany({ where: { mergedIntoId: user.userId }, select: { id: true } })).map((u) => u.id);
  const owners = [user.userId, ...merged];
  await db.session.deleteMany({ where: { userId: { in: owners } } });
  // Deleted here, not by the library: every instance's session cache is told (lib/auth/session-cache.ts).
  await Promise.all(owners.map((userId) => a.sessions?.revoke({ userId })));
  await deleteAllConversations(deletion, user.userId);
  const unsent = await db.attachment.findMany({ where: { userId: { in: owners } }, select: { id: true, sha256: true } });
  await db.attachment.deleteMany({ where: { id: { in: unsent.map((f) => f.id) } } });
  await removeUnreferenced(
    db,
    deletion.files,
    unsent.map((f) => f.sha256),
  );
  // Merged guests hold nothing of their own any more (their data moved); their rows go too.
  await db.user.deleteMany({ where: { id: { in: owners } } });
  return sessionCookie("", secure);
}
