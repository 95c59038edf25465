// Whose data a write for a user goes to, under that user's row lock. A guest
// that moved into an account (lib/auth/guest-data.ts) keeps its row, marked
// merged: a request that authenticated as the guest just before the move
// writes to the account instead of to a guest about to be emptied, so it is
// never answered 2xx and then lost (docs/SECURITY.md).
//
// Lock order, everywhere: the guest's row, then the account's. The move takes
// both FOR UPDATE; admission takes the session user's row FOR UPDATE, then
// the account's when that user was merged; other writes take the session
// user's row FOR SHARE. So a write either commits before the move (and its
// rows move with the guest's) or runs after it, for the account.
import type { Db } from "../platform/db";
import { AppError } from "../errors";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];
type Row = { id: string; mergedIntoId: string | null };

/** The session's user (or the account it moved into) no longer exists. */
export const ownerGone = () => new AppError("unauthorized", "Your session has ended: sign in again.");

/**
 * Inside a transaction: locks `userId`'s row and returns the id whose data
 * the write is for. `update` serializes the owner's writes (admission counts
 * under it); `share` only keeps a move from running meanwhile.
 */
export async function lockDataOwner(tx: Tx, userId: string, mode: "share" | "update"): Promise<string> {
  const [row] =
    mode === "update"
      ? await tx.$queryRaw<Row[]>`SELECT id, "mergedIntoId" FROM "User" WHERE id = ${userId}::uuid FOR UPDATE`
      : await tx.$queryRaw<Row[]>`SELECT id, "mergedIntoId" FROM "User" WHERE id = ${userId}::uuid FOR SHARE`;
  if (!row) throw ownerGone();
  if (!row.mergedIntoId) return row.id;
  // An account is never merged itself, so one step reaches the owner.
  if (mode === "update") {
    const [account] = await tx.$queryRaw<Row[]>`SELECT id, "mergedIntoId" FROM "User" WHERE id = ${row.mergedIntoId}::uuid FOR UPDATE`;
    if (!account) throw ownerGone();
  }
  return row.mergedIntoId;
}
