// Process plumbing shared by the streaming benchmarks (bench/streams.ts,
// bench/scaled.ts): the clock, progress log, the run's deadline, and child
// processes that are always cleaned up, whatever way the run ends.
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Epoch ms, sub-ms, monotonic within the process (comparable with the fake's stamps). */
export const now = () => performance.timeOrigin + performance.now();
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const START = Date.now();
export const log = (...a: unknown[]) => console.error(`[bench ${((Date.now() - START) / 1000).toFixed(1)}s]`, ...a);

let deadline = Number.MAX_SAFE_INTEGER;
/** Time left before the run's hard limit (ms, at least 1). */
export const remaining = () => Math.max(1, deadline - Date.now());

/** The whole run's hard limit: past it every child is killed and the process exits 2. */
export function setDeadline(timeoutSec: number): void {
  deadline = Date.now() + timeoutSec * 1000;
  const hardStop = setTimeout(() => {
    console.error(`bench: over the --timeout of ${timeoutSec}s, giving up`);
    killAll();
    process.exit(2);
  }, deadline - Date.now());
  hardStop.unref();
}

const children = new Set<ChildProcess>();
export function track(c: ChildProcess): ChildProcess {
  children.add(c);
  c.once("exit", () => children.delete(c));
  return c;
}
export function killAll() {
  for (const c of children) if (c.pid && c.exitCode === null) c.kill("SIGKILL");
}
process.on("exit", killAll);
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}

export async function stopChild(c: ChildProcess, graceMs = 5000): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise<void>((r) => c.once("exit", () => r()));
  c.kill("SIGTERM");
  const t = setTimeout(() => c.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(t);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Runs fn(0..n-1) with at most `limit` at a time; results in index order. */
export async function pool<T>(n: number, limit: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, n) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}
