// Server start: the process that owns the database opens it (applying
// pending migrations) and sweeps replies a previous process left generating.
import { getDbHandle } from "./db";
import { sweepStale, STALE_REPLY_MS } from "../reply/jobs";
import { getReplyControl } from "../stream/control";
import { getGenerations } from "../reply/registry";
import { drainGenerations } from "./shutdown";
import { errorFields, log } from "./log";

export const SWEEP_INTERVAL_MS = Number(process.env.SWEEP_INTERVAL_MS) || 30_000;

export async function startServer(): Promise<void> {
  const handle = await getDbHandle();
  getReplyControl(); // with Redis: listen for Stop requests from other instances
  if (process.env.NEXT_MANUAL_SIG_HANDLE) {
    process.once("SIGTERM", () => void shutdown(143));
    process.once("SIGINT", () => void shutdown(130));
  }
  // Embedded: this process owns the database, so nothing generating at start
  // is live, and later only replies no local generation owns. On PostgreSQL
  // other instances may be generating: only replies stale for 90 s.
  const embedded = handle.kind === "pglite";
  const sweep = async (staleMs: number) => {
    try {
      const swept = await sweepStale({ staleMs });
      if (swept.length) log.warn({ component: "sweep", count: swept.length, messageIds: swept.slice(0, 50) }, "stale replies marked interrupted");
    } catch (e) {
      log.error({ component: "sweep", err: errorFields(e) }, "stale-stream sweep failed");
    }
  };
  await sweep(embedded ? 0 : STALE_REPLY_MS);
  // Same code as the Inngest cron function; in Inngest mode both may run (harmless).
  const timer = setInterval(() => void sweep(embedded ? 2_000 : STALE_REPLY_MS), SWEEP_INTERVAL_MS);
  timer.unref();
  if (!embedded) {
    // Other instances judge staleness by updatedAt: keep our live replies
    // fresh even while they wait on a quiet upstream or a long tool.
    const beat = setInterval(() => void heartbeat(), Math.max(250, Math.min(HEARTBEAT_MS, STALE_REPLY_MS / 3)));
    beat.unref();
  }
}

const HEARTBEAT_MS = Number(process.env.HEARTBEAT_MS) || 20_000;

async function heartbeat(): Promise<void> {
  const ids = getGenerations().liveIds();
  if (!ids.length) return;
  try {
    const db = (await getDbHandle()).prisma;
    await db.message.updateMany({ where: { id: { in: ids }, status: { in: ["pending", "streaming"] } }, data: { updatedAt: new Date() } });
  } catch (e) {
    log.error({ component: "heartbeat", err: errorFields(e) }, "heartbeat failed");
  }
}

const SHUTDOWN_GRACE_MS = Number(process.env.SHUTDOWN_GRACE_MS) || 10_000;

async function shutdown(code: number): Promise<void> {
  try {
    log.info({ component: "lifecycle", graceMs: SHUTDOWN_GRACE_MS, live: getGenerations().liveIds().length }, "shutdown: draining");
    const { finished, stopped } = await drainGenerations(getGenerations(), SHUTDOWN_GRACE_MS);
    log.info({ component: "lifecycle", finished, stopped }, "shutdown: replies finished or stopped and saved");
    await (await getDbHandle()).close(); // releases the embedded database's lock
  } catch (e) {
    log.error({ component: "lifecycle", err: errorFields(e) }, "shutdown failed");
  } finally {
    process.exit(code);
  }
}
