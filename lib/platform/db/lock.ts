// Exactly one process may own an embedded PGlite directory: two processes
// opening it both succeed and silently lose each other's writes (checked with
// PGlite 0.5: a second process saw no error, and writes of both were lost).
// The owner holds a lock file naming its pid and process start time; a lock
// whose process is gone (or whose pid was reused) is stale and taken over.
import { openSync, writeSync, closeSync, readFileSync, unlinkSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";

export class DataDirLockedError extends Error {
  constructor(
    readonly lockPath: string,
    readonly holderPid: number,
  ) {
    super(
      `The embedded database in ${lockPath.replace(/\/[^/]*$/, "")} is in use by another process (pid ${holderPid}). ` +
        `Only one process may open it: stop that process, or set DATABASE_URL to use PostgreSQL.`,
    );
    this.name = "DataDirLockedError";
  }
}

type LockInfo = { pid: number; start: string | null; host: string };

function processStart(pid: number): string | null {
  try {
    // Field 22 of /proc/<pid>/stat: start time since boot; tells pid reuse apart.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(info: LockInfo): boolean {
  if (info.host !== hostname()) return true; // cannot check another machine: be safe
  try {
    process.kill(info.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  const start = processStart(info.pid);
  return !(info.start && start && start !== info.start);
}

export type DataDirLock = { path: string; release(): void };

export function acquireDataDirLock(dir: string): DataDirLock {
  const path = join(dir, "tether.lock");
  const me: LockInfo = { pid: process.pid, start: processStart(process.pid), host: hostname() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          const cur = JSON.parse(readFileSync(path, "utf8")) as LockInfo;
          if (cur.pid === me.pid && cur.host === me.host) unlinkSync(path);
        } catch {
          /* already gone */
        }
      };
      process.once("exit", release);
      return { path, release };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    let holder: LockInfo | null = null;
    try {
      holder = JSON.parse(readFileSync(path, "utf8")) as LockInfo;
    } catch {
      holder = null; // half-written or unreadable: treat as stale
    }
    if (holder && holder.pid !== process.pid && isAlive(holder)) throw new DataDirLockedError(path, holder.pid);
    if (holder && holder.pid === process.pid && holder.host === me.host) {
      throw new DataDirLockedError(path, holder.pid); // opened twice in one process: a bug
    }
    try {
      unlinkSync(path);
    } catch {
      /* someone else removed it first; retry */
    }
  }
  throw new Error(`could not take the lock ${path}`);
}
