// An Inngest retry of generate-reply after its worker died mid-generation
// (docs/PROTOCOL.md §6): the reply is left `streaming` (or `pending`) with its last
// checkpoint saved. The retry claims it and generates on from the saved
// partial content, the way Continue does; ids continue above every id the
// dead run may have sent (seqCeiling).
//
// Who may claim: the dead run's owner is gone only when the row has gone
// quiet. A live owner touches `updatedAt` with every checkpoint (≤ 500 ms
// apart while text flows) and with its heartbeat (HEARTBEAT_MS, 20 s), so a
// row quiet for RESUME_STALE_MS (lib/config.ts; default half of STALE_REPLY_MS: 45 s) has
// no owner. Before that the retry waits (Inngest retries it later).
//
// Retry and sweep never both act: each is one conditional UPDATE on the same
// row (status still pending/streaming and quiet long enough). The claim sets
// `updatedAt` to now, so the sweep sees a fresh row; the sweep (STALE_REPLY_MS,
// 90 s) sets `interrupted`, so a later claim finds nothing to do and the
// reply waits for the user's Continue. A Stop works the same way.
import type { Db } from "../platform/db";
import type { MessageStatus } from "../chat/types";
import { claimQuietReply } from "./lifecycle";
import { isGenerating } from "./status";

export type ClaimResult =
  /** This caller owns the reply now; its seq was raised to the old id ceiling. */
  | { kind: "claimed"; seq: number }
  /** Someone may still be generating it: ask again after this long. */
  | { kind: "wait"; retryAfterMs: number; status: MessageStatus }
  /** Nothing to resume: it ended (complete / interrupted / failed) or is no reply. */
  | { kind: "final"; status: MessageStatus }
  | { kind: "missing" };

/**
 * Takes over a reply whose generation died. One statement decides: status
 * still pending/streaming and no save for `staleMs`. The row is left
 * `streaming` (so neither a duplicate event nor the sweep starts anything)
 * with `seq` at the dead run's id ceiling: the new run's first event (a
 * snapshot of the saved state) gets the next id.
 */
export async function claimAbandoned(db: Db, messageId: string, staleMs: number, now = Date.now()): Promise<ClaimResult> {
  const cutoff = new Date(now - staleMs);
  const seq = await claimQuietReply(db, messageId, cutoff);
  if (seq !== null) return { kind: "claimed", seq };
  const row = await db.message.findUnique({ where: { id: messageId }, select: { role: true, status: true, updatedAt: true } });
  if (!row || row.role !== "assistant") return { kind: "missing" };
  if (!isGenerating(row.status)) return { kind: "final", status: row.status };
  // At least a second: the retry is a new HTTP call from Inngest anyway.
  const retryAfterMs = Math.max(1_000, row.updatedAt.getTime() + staleMs - now + 250);
  return { kind: "wait", retryAfterMs, status: row.status };
}
