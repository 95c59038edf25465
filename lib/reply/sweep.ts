// The sweep settles replies their generation abandoned (docs/PROTOCOL.md §5.5):
// a reply left pending/streaming/resuming by a process that died (no
// generation in this process owns it, and it is quiet since `cutoff`), or
// one a shutdown stopped. With auto-resume on, each is continued by the server
// (auto-resume.ts), at most `maxAttempts` times; otherwise, and after that, a
// dead run's reply is marked interrupted, ready for the user's Continue. The
// row writes are the reply lifecycle's (lifecycle.ts).
import type { Db } from "../platform/db";
import { claimForResume, endOrphan, shutdownStoppedIds, staleReplyIds } from "./lifecycle";
import type { USER_STOP } from "./status";

/**
 * Marks one reply interrupted if it is still generating (and quiet since
 * `cutoff`), with why: `stopped` for a user's Stop, none for a dead run (a
 * shutdown's reason from an earlier run must not outlive it).
 */
export async function interruptOrphan(db: Db, messageId: string, o: { cutoff?: Date; stopReason?: typeof USER_STOP } = {}): Promise<boolean> {
  return (await endOrphan(db, messageId, "interrupted", { cutoff: o.cutoff, stopReason: o.stopReason ?? null })) !== null;
}

export type Claimed = NonNullable<Awaited<ReturnType<typeof claimForResume>>>;
export type SweepResult = { interrupted: string[]; resumed: Claimed[] };

/**
 * Finds the abandoned replies and settles each with one conditional write:
 * claimed for resuming (returned for the caller to hand over), or interrupted.
 */
export async function sweepStaleReplies(db: Db, o: { staleMs: number; liveIds: string[]; maxAttempts?: number }): Promise<SweepResult> {
  const cutoff = new Date(Date.now() - o.staleMs);
  const max = o.maxAttempts ?? 0;
  const stale = await staleReplyIds(db, cutoff, o.liveIds);
  const stopped = max > 0 ? (await shutdownStoppedIds(db, max)).filter((id) => !stale.includes(id) && !o.liveIds.includes(id)) : [];
  const result: SweepResult = { interrupted: [], resumed: [] };
  for (const id of [...stale, ...stopped]) {
    const claimed = max > 0 ? await claimForResume(db, id, cutoff, max) : null;
    if (claimed) result.resumed.push(claimed);
    else if (stale.includes(id) && (await interruptOrphan(db, id, { cutoff }))) result.interrupted.push(id);
  }
  return result;
}
