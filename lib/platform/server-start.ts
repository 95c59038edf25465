// Server start: the process that owns the database opens it (applying
// pending migrations), listens for Stop requests from other instances, and
// sweeps replies a previous process left generating; it then keeps sweeping,
// purges expired sessions and idle guests (lib/auth/purge.ts), sends the
// heartbeat of its live replies (scaled mode) and, under `npm start`, drains
// on SIGTERM.
import type { App } from "../app";
import { touchLiveReplies } from "../reply/lifecycle";
import { RedisControl } from "../stream/control";
import { errorFields, log } from "./log";

/** What startServer leaves running: the periodic sweep, the purge and the heartbeat. */
export type StartedServer = {
  /** Clears the sweep, purge and heartbeat timers (tests; the server itself never stops them). */
  stop(): void;
};

export async function startServer(app: App): Promise<StartedServer> {
  const handle = await app.dbHandle();
  const { reply } = app.config;
  if (app.control instanceof RedisControl) {
    void app.control.listen().catch((e) => log.error({ component: "redis", err: errorFields(e) }, "could not listen for stop requests"));
  }
  const signals: [NodeJS.Signals, () => void][] = app.config.handleSignals
    ? [
        ["SIGTERM", () => void shutdown(app, 143)],
        ["SIGINT", () => void shutdown(app, 130)],
      ]
    : // Next.js handles them: its server closes once every connection has ended, which endless streams must then do.
      (["SIGTERM", "SIGINT"] as const).map((s) => [s, () => app.shutdown.begin()]);
  for (const [signal, on] of signals) process.once(signal, on);
  // Embedded: this process owns the database, so nothing generating at start
  // is live, and later only replies no local generation owns. At start they
  // are resumed (AUTO_RESUME_ATTEMPTS) before the first request is served. On PostgreSQL
  // other instances may be generating: only replies stale for STALE_REPLY_MS.
  const embedded = handle.kind === "pglite";
  const sweep = async (staleMs: number) => {
    try {
      const { interrupted, resumed } = await app.replyJobs.sweepStale({ staleMs });
      if (interrupted.length) log.warn({ component: "sweep", count: interrupted.length, messageIds: interrupted.slice(0, 50) }, "stale replies marked interrupted");
      if (resumed.length) log.warn({ component: "sweep", count: resumed.length, messageIds: resumed.slice(0, 50) }, "replies a crash or a restart cut short resumed");
    } catch (e) {
      log.error({ component: "sweep", err: errorFields(e) }, "stale-stream sweep failed");
    }
  };
  await sweep(embedded ? 0 : reply.staleMs);
  // Same code as the Inngest cron function; in Inngest mode both may run (harmless).
  const timer = setInterval(() => void sweep(embedded ? 2_000 : reply.staleMs), reply.sweepIntervalMs);
  timer.unref();
  const timers = [timer];
  if (app.config.purge.intervalMs > 0) {
    // Same code as the Inngest cron function; deletes are idempotent, so both running is harmless.
    let purging = false;
    const purge = setInterval(() => {
      if (purging) return; // a long backlog: never two runs at once
      purging = true;
      app
        .purgeIdle()
        .catch((e) => log.error({ component: "purge", err: errorFields(e) }, "purge of idle guests failed"))
        .finally(() => (purging = false));
    }, app.config.purge.intervalMs);
    purge.unref();
    timers.push(purge);
  }
  if (!embedded) {
    // Other instances judge staleness by updatedAt: keep our live replies
    // fresh even while they wait on a quiet upstream or a long tool.
    const beat = setInterval(() => void heartbeat(app), Math.max(250, Math.min(reply.heartbeatMs, reply.staleMs / 3)));
    beat.unref();
    timers.push(beat);
  }
  return {
    stop: () => {
      timers.forEach((t) => clearInterval(t));
      for (const [signal, on] of signals) process.off(signal, on);
    },
  };
}

async function heartbeat(app: App): Promise<void> {
  try {
    await touchLiveReplies(await app.db(), app.generations.liveIds());
  } catch (e) {
    log.error({ component: "heartbeat", err: errorFields(e) }, "heartbeat failed");
  }
}

async function shutdown(app: App, code: number): Promise<void> {
  const graceMs = app.config.reply.shutdownGraceMs;
  try {
    log.info({ component: "lifecycle", graceMs, live: app.generations.liveIds().length }, "shutdown: draining");
    const { finished, stopped } = await app.shutdown.drain(app.generations, graceMs);
    log.info({ component: "lifecycle", finished, stopped }, "shutdown: replies finished or stopped and saved");
    await (await app.dbHandle()).close(); // releases the embedded database's lock
  } catch (e) {
    log.error({ component: "lifecycle", err: errorFields(e) }, "shutdown failed");
  } finally {
    process.exit(code);
  }
}
