// Saves a generating message's state: throttled while streaming (never per
// token), immediately on status changes. Writes are serialized and guarded by
// `seq` (the lifecycle's saveCheckpoint), so an older checkpoint can never
// overwrite a newer one, even when two writers race (e.g. a retried job and
// a stale one). Intervals come from lib/config.ts (CHECKPOINT_INTERVAL_MS,
// FINAL_SAVE_RETRY_MS).
import type { Db } from "../../platform/db";
import { timeCheckpoint } from "../../platform/metrics";
import { saveCheckpoint, type CheckpointState } from "../lifecycle";
import { isFinal } from "../status";

export type { CheckpointState } from "../lifecycle";

/**
 * Waits between retries of a failed save: doubling from 100 ms, at most 1 s,
 * so checkpoints resume within a second of the database coming back.
 */
export const retryDelayMs = (failures: number) => Math.min(1_000, 100 * 2 ** Math.max(0, failures - 1));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs a database write, retrying with backoff while it fails, for at most
 * `forMs`; then rethrows the last error.
 */
export async function retryWrite<T>(write: () => Promise<T>, forMs: number, onError?: (e: unknown) => void): Promise<T> {
  const deadline = Date.now() + forMs;
  for (let failures = 1; ; failures++) {
    try {
      return await write();
    } catch (e) {
      onError?.(e);
      const left = deadline - Date.now();
      if (left <= 0) throw e;
      await sleep(Math.min(retryDelayMs(failures), left));
    }
  }
}

/**
 * A failed save is retried with backoff: a streaming checkpoint until it (or
 * a newer state) lands or the generation ends; a final state for
 * `finalRetryMs`, after which `flush` reports false and the caller hands the
 * state to the durable persist job. A status only ever reaches the row with
 * the save that carries it, so a row is never `complete` before it was saved.
 */
export class Checkpointer {
  private lastSavedAt = 0;
  private savedSeq: number;
  private inFlight: Promise<void> = Promise.resolve();
  private pending: CheckpointState | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private latest: (() => CheckpointState) | null = null;
  private failed: CheckpointState | null = null;
  private closed = false;
  /** Consecutive failed writes (0 once one lands). */
  failures = 0;
  writes = 0;

  constructor(
    private readonly db: Db,
    private readonly messageId: string,
    startSeq: number,
    private readonly intervalMs: number,
    private readonly onError: (e: unknown) => void,
    private readonly finalRetryMs: number,
  ) {
    this.savedSeq = startSeq;
  }

  /** Offer the latest state; it is written within `intervalMs` (or with the next retry while saves fail). */
  offer(state: () => CheckpointState): void {
    this.latest = state;
    if (this.timer || this.retryTimer) return;
    const wait = Math.max(0, this.lastSavedAt + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.enqueue(state());
    }, wait);
  }

  /**
   * Write now (status changes, final state); resolves with whether it landed.
   * A final state is retried for `finalRetryMs`; any other gets one attempt
   * here and is retried in the background.
   */
  async flush(state: CheckpointState): Promise<boolean> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const deadline = Date.now() + (isFinal(state.status) ? this.finalRetryMs : 0);
    for (;;) {
      this.enqueue(state);
      await this.inFlight;
      if (this.savedSeq >= state.seq) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await sleep(Math.min(retryDelayMs(this.failures), left));
    }
  }

  private enqueue(state: CheckpointState): void {
    if (state.seq <= this.savedSeq) return;
    // Never replace a newer waiting state with an older one.
    if (!this.pending || state.seq > this.pending.seq) this.pending = state;
    this.inFlight = this.inFlight.then(async () => {
      const s = this.pending;
      this.pending = null;
      if (!s || s.seq <= this.savedSeq) return;
      // The interval counts from when a write starts: slow writes must not
      // make the next one come sooner.
      this.lastSavedAt = Date.now();
      try {
        await timeCheckpoint(() => saveCheckpoint(this.db, this.messageId, s));
        this.savedSeq = Math.max(this.savedSeq, s.seq);
        this.writes++;
        this.failures = 0;
        this.failed = null;
      } catch (e) {
        this.failures++;
        if (!this.failed || s.seq > this.failed.seq) this.failed = s;
        this.onError(e);
        this.scheduleRetry();
      }
    });
  }

  /** After a failed write: try again later with the newest state there is. */
  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null; // close() clears this timer: it only fires while open
      const newest = this.latest?.();
      const s = newest && (!this.failed || newest.seq >= this.failed.seq) ? newest : this.failed;
      if (s) this.enqueue(s);
    }, retryDelayMs(this.failures));
  }

  /** The generation is over: no more background writes (its final flush still retries). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.timer = null;
    this.retryTimer = null;
  }
}
