// Opens the embedded PGlite database under DATA_DIR for exactly one owner
// process (see lock.ts), keeping what it holds in memory small: a server that
// idles on it should not cost more than one on PostgreSQL by much
// (docs/BENCHMARKS.md, "Idle memory of the embedded database").
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { acquireDataDirLock, DataDirLockedError, type DataDirLock } from "./lock";
import { startEmbeddedProcess, type EmbeddedProcess } from "./embedded-process";
import { log } from "../log";

/**
 * PostgreSQL's buffer cache, which lives in PGlite's WebAssembly memory and
 * is touched whole at start: 128 MB by default. One person's chats fit in
 * far less, and the operating system caches the files beneath it.
 */
export const EMBEDDED_SHARED_BUFFERS = "32MB";
const startParams = () => [...PGlite.defaultStartParams, "-c", `shared_buffers=${EMBEDDED_SHARED_BUFFERS}`];

/** DATA_DIR, as an absolute path. */
export function embeddedDataDir(dataDir: string): string {
  return resolve(/*turbopackIgnore: true*/ dataDir);
}

/** How long to wait for a gone server's database process to exit (it does so at once). */
const CLOSING_WAIT_MS = 15_000;

/** The directory's lock, waiting for a database process left by a server that died (lock.ts). */
async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const until = Date.now() + CLOSING_WAIT_MS;
  for (;;) {
    try {
      return acquireDataDirLock(dataDir);
    } catch (e) {
      if (!(e instanceof DataDirLockedError && e.closing && Date.now() < until)) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * The embedded database served by a process of its own (embedded-process.ts),
 * or null if that process could not start (then the caller opens it here).
 */
export async function serveEmbeddedDatabase(dataDir: string): Promise<{ served: EmbeddedProcess; release(): Promise<void> } | null> {
  mkdirSync(dataDir, { recursive: true });
  const lock = await lockDataDir(dataDir);
  let served: EmbeddedProcess;
  try {
    const dir = join(dataDir, "pglite");
    await createOutOfProcess(dir);
    served = await startEmbeddedProcess(dir, startParams(), (pid) => lock.adopt(pid));
  } catch (e) {
    lock.release(); // the process, if it started, was waited for
    log.warn({ component: "db", err: String(e) }, "could not serve the embedded database from a process of its own; opening it here");
    return null;
  }
  let closed = false;
  return {
    served,
    async release() {
      if (closed) return;
      closed = true;
      try {
        await served.stop();
      } finally {
        lock.release();
      }
    },
  };
}

export async function openEmbeddedDatabase(dataDir: string): Promise<{ pglite: PGlite; release(): Promise<void> }> {
  // PGlite does not create missing parent directories.
  mkdirSync(dataDir, { recursive: true });
  const lock = await lockDataDir(dataDir);
  try {
    const dir = join(dataDir, "pglite");
    await createOutOfProcess(dir);
    const pglite = await PGlite.create(dir, { startParams: startParams() });
    let closed = false;
    return {
      pglite,
      async release() {
        if (closed) return;
        closed = true;
        try {
          await pglite.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (e) {
    lock.release();
    throw e;
  }
}

/**
 * A new database is made (initdb) by a short-lived process of its own: the
 * process that runs initdb keeps its memory after it (some 350 MB), and the
 * server should not. Under the caller's lock. Should that process fail (no
 * `node` to run it, the package not found from the working directory), the
 * server makes the database itself, as before.
 */
async function createOutOfProcess(dir: string): Promise<void> {
  if (existsSync(join(dir, "PG_VERSION"))) return;
  const existed = existsSync(dir);
  const script = `import { PGlite } from "@electric-sql/pglite";
const db = await PGlite.create(process.argv[1], { startParams: JSON.parse(process.argv[2]) });
await db.close();`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script, dir, JSON.stringify(startParams())], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (b: Buffer) => void (stderr = (stderr + b.toString()).slice(-2000)));
  const code = await new Promise<number | null>((done) => {
    child.once("error", () => done(null));
    child.once("close", (c) => done(c));
  });
  if (code !== 0 || !existsSync(join(dir, "PG_VERSION"))) {
    // Half made by the failed process: made again here from nothing.
    if (!existed) rmSync(dir, { recursive: true, force: true });
    log.warn({ component: "db", code, stderr: stderr.trim() }, "could not create the embedded database in a process of its own; creating it here");
  }
}
