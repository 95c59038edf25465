// Graceful shutdown (a rolling deploy loses nothing): on SIGTERM stop taking
// new generations, let running ones finish for a grace period, then stop the
// rest — they save what they have as `interrupted` with stopReason
// `shutdown`, which another instance's sweep or the next start resumes
// (docs/PROTOCOL.md §5.5) — and exit. Next.js must leave the signals to us
// (NEXT_MANUAL_SIG_HANDLE, set by `npm start`).
import { AppError } from "../errors";
import type { GenerationRegistry } from "../reply/registry";
import { SHUTDOWN_STOP } from "../reply/status";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());

/** Whether this instance drains; one per app (lib/app.ts). */
export class Shutdown {
  private drainingNow = false;
  private readonly closing = new AbortController();

  get draining(): boolean {
    return this.drainingNow;
  }

  /**
   * Aborted once the instance begins to shut down. A stream that never ends
   * by itself (a user's event stream) ends then: the HTTP server closes only
   * when every connection has, and the client resumes elsewhere by event id.
   */
  get signal(): AbortSignal {
    return this.closing.signal;
  }

  /** Refuses new generations and ends the endless streams; idempotent. */
  begin(): void {
    this.drainingNow = true;
    this.closing.abort();
  }

  /** Thrown where a new generation would start while the instance drains. */
  refuseWhileDraining(): void {
    if (this.drainingNow) {
      throw new AppError("unavailable", "This server is restarting. Please try again in a moment.", { "Retry-After": "2" });
    }
  }

  /** Waits up to `graceMs` for live generations, then stops the rest and waits for their saves. */
  async drain(registry: GenerationRegistry, graceMs: number, stopWaitMs = 5_000): Promise<{ finished: number; stopped: number }> {
    this.begin();
    const before = registry.liveIds();
    const settle = (ids: string[]) => Promise.allSettled(ids.map((id) => registry.whenDone(id)).filter((p) => p !== undefined));
    await Promise.race([settle(before), sleep(graceMs)]);
    const rest = registry.liveIds();
    const stops = rest.map((id) => registry.stop(id, SHUTDOWN_STOP)).filter((p) => p !== undefined);
    await Promise.race([Promise.allSettled(stops), sleep(stopWaitMs)]);
    return { finished: before.length - rest.length, stopped: rest.length };
  }
}
