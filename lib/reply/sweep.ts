// Stale-stream sweep: a reply left pending/streaming by a process that died
// is marked interrupted (ready for Continue). A reply counts as stale when no
// generation in this process owns it and its last checkpoint is older than
// `staleMs`. Its seq jumps above every id its dead generation could have
// sent (seqCeiling), so the ids of a later Continue are never reused.
import type { Db } from "../platform/db";

/** Marks one reply interrupted if it is still pending/streaming (and stale). */
export async function interruptOrphan(db: Db, messageId: string, cutoff?: Date): Promise<boolean> {
  const n = cutoff
    ? await db.$executeRaw`UPDATE "Message" SET status = 'interrupted', seq = GREATEST(seq, "seqCeiling") + 1, "updatedAt" = now()
        WHERE id = ${messageId}::uuid AND status IN ('pending', 'streaming') AND "updatedAt" <= ${cutoff}`
    : await db.$executeRaw`UPDATE "Message" SET status = 'interrupted', seq = GREATEST(seq, "seqCeiling") + 1, "updatedAt" = now()
        WHERE id = ${messageId}::uuid AND status IN ('pending', 'streaming')`;
  return n === 1;
}

export async function sweepStaleReplies(db: Db, opts: { staleMs: number; liveIds: string[] }): Promise<string[]> {
  const cutoff = new Date(Date.now() - opts.staleMs);
  const stale = await db.message.findMany({
    where: {
      role: "assistant",
      status: { in: ["pending", "streaming"] },
      updatedAt: { lte: cutoff },
      ...(opts.liveIds.length ? { id: { notIn: opts.liveIds } } : {}),
    },
    select: { id: true },
    take: 1000,
  });
  const swept: string[] = [];
  for (const { id } of stale) if (await interruptOrphan(db, id, cutoff)) swept.push(id);
  return swept;
}
