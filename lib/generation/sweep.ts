// Stale-stream sweep: a reply left pending/streaming by a process that died
// is marked interrupted (ready for Continue). A reply counts as stale when no
// generation in this process owns it and its last checkpoint is older than
// `staleMs`. The seq bump makes the change win over any late checkpoint.
import type { Db } from "../db";

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
  for (const { id } of stale) {
    const res = await db.message.updateMany({
      where: { id, status: { in: ["pending", "streaming"] }, updatedAt: { lte: cutoff } },
      data: { status: "interrupted", seq: { increment: 1 } },
    });
    if (res.count) swept.push(id);
  }
  return swept;
}
