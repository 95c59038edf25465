// Stale-stream sweep: a reply left pending/streaming by a process that died
// is marked interrupted (ready for Continue). A reply counts as stale when no
// generation in this process owns it and its last checkpoint is older than
// `staleMs`. The row writes are the reply lifecycle's (lifecycle.ts).
import type { Db } from "../platform/db";
import { endOrphan, staleReplyIds } from "./lifecycle";

/** Marks one reply interrupted if it is still pending/streaming (and quiet since `cutoff`). */
export async function interruptOrphan(db: Db, messageId: string, cutoff?: Date): Promise<boolean> {
  return (await endOrphan(db, messageId, "interrupted", { cutoff })) !== null;
}

export async function sweepStaleReplies(db: Db, opts: { staleMs: number; liveIds: string[] }): Promise<string[]> {
  const cutoff = new Date(Date.now() - opts.staleMs);
  const swept: string[] = [];
  for (const id of await staleReplyIds(db, cutoff, opts.liveIds)) if (await interruptOrphan(db, id, cutoff)) swept.push(id);
  return swept;
}
