import { getDbHandle } from "./db";
import { getGenerations } from "./generation/registry";
import { sweepStaleReplies } from "./generation/sweep";

export const SWEEP_INTERVAL_MS = Number(process.env.SWEEP_INTERVAL_MS) || 30_000;
const SCALED_STALE_MS = 90_000;

export async function startServer(): Promise<void> {
  const handle = await getDbHandle();
  const sweep = async (staleMs: number) => {
    try {
      const swept = await sweepStaleReplies(handle.prisma, { staleMs, liveIds: getGenerations().liveIds() });
      if (swept.length) console.log(`marked ${swept.length} stale repl${swept.length === 1 ? "y" : "ies"} interrupted`);
    } catch (e) {
      console.error("stale-stream sweep failed", e);
    }
  };
  // Embedded: this process owns the database, so nothing generating is live
  // at start. On PostgreSQL other instances may be: only their stale rows.
  await sweep(handle.kind === "pglite" ? 0 : SCALED_STALE_MS);
  const timer = setInterval(() => void sweep(handle.kind === "pglite" ? 2 * 1000 : SCALED_STALE_MS), SWEEP_INTERVAL_MS);
  timer.unref();
}
