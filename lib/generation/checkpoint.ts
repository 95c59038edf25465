// Saves a generating message's state: throttled while streaming (never per
// token), immediately on status changes. Writes are serialized and guarded by
// `seq`, so an older checkpoint can never overwrite a newer one, even when two
// writers race (e.g. a retried job and a stale one).
import type { Db } from "../db";
import type { ErrorBody, MessageMetadata, MessageStatus, Part } from "../types";
import { Prisma } from "../generated/prisma/client";

export type CheckpointState = {
  seq: number;
  status: MessageStatus;
  parts: Part[];
  content: string;
  error?: ErrorBody | null;
  metadata?: MessageMetadata;
};

export const DEFAULT_CHECKPOINT_MS = Number(process.env.CHECKPOINT_INTERVAL_MS) || 500;

/** One guarded write: lands only if the row's seq is older. */
export async function saveCheckpoint(db: Db, messageId: string, s: CheckpointState): Promise<boolean> {
  const res = await db.message.updateMany({
    where: { id: messageId, seq: { lt: s.seq } },
    data: {
      seq: s.seq,
      status: s.status,
      parts: s.parts as Prisma.InputJsonValue,
      content: s.content,
      ...(s.error !== undefined ? { error: s.error === null ? Prisma.DbNull : (s.error as Prisma.InputJsonValue) } : {}),
      ...(s.metadata ? { metadata: s.metadata as Prisma.InputJsonValue } : {}),
    },
  });
  return res.count === 1;
}

export class Checkpointer {
  private lastSavedAt = 0;
  private savedSeq: number;
  private inFlight: Promise<void> = Promise.resolve();
  private pending: CheckpointState | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  writes = 0;

  constructor(
    private readonly db: Db,
    private readonly messageId: string,
    startSeq: number,
    private readonly intervalMs = DEFAULT_CHECKPOINT_MS,
    private readonly onError: (e: unknown) => void = (e) => console.error("checkpoint failed", e),
  ) {
    this.savedSeq = startSeq;
  }

  /** Offer the latest state; it is written within `intervalMs`. */
  offer(state: () => CheckpointState): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastSavedAt + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.enqueue(state());
    }, wait);
  }

  /** Write now (status changes, final state); resolves with whether it landed. */
  async flush(state: CheckpointState): Promise<boolean> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.enqueue(state);
    await this.inFlight;
    return this.savedSeq >= state.seq;
  }

  private enqueue(state: CheckpointState): void {
    if (state.seq <= this.savedSeq && this.pending === null) return;
    this.pending = state;
    this.inFlight = this.inFlight.then(async () => {
      const s = this.pending;
      this.pending = null;
      if (!s || s.seq <= this.savedSeq) return;
      // The interval counts from when a write starts: slow writes must not
      // make the next one come sooner.
      this.lastSavedAt = Date.now();
      try {
        await saveCheckpoint(this.db, this.messageId, s);
        this.savedSeq = s.seq;
        this.writes++;
      } catch (e) {
        this.onError(e);
      }
    });
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
