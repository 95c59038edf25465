// Exactly one process may own an embedded PGlite directory: two processes
// opening it both succeed and silently lose each other's writes (checked with
// PGlite 0.5: a second process saw no error, and writes of both were lost).
// The owner holds a lock file naming its pid and process start time. A lock
// is stale, and taken over, when its process is gone, was replaced by another
// under the same pid (a different start time), or can run no more code: a
// zombie (killed, not yet reaped by its parent), a dead task, or one with
// SIGKILL pending. A supervisor that restarts at once after `kill -9` would
// otherwise find the old pid still listed and fail to start.
//
// The server's database process (embedded-process.ts) is named in the lock
// too: it holds the files open, so until it has exited as well, the lock is
// held by it even after the server itself died.
import { openSync, writeSync, closeSync, readFileSync, unlinkSync, existsSync, renameSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";

export class DataDirLockedError extends Error {
  constructor(
    readonly lockPath: string,
    readonly holderPid: number,
    /** Only the database process of a server that is gone holds it: it exits by itself within moments. */
    readonly closing = false,
  ) {
    super(
      `The embedded database in ${lockPath.replace(/\/[^/]*$/, "")} is in use by another process (pid ${holderPid}). ` +
        `Only one process may open it: stop that process, or set DATABASE_URL to use PostgreSQL.`,
    );
    this.name = "DataDirLockedError";
  }
}

type LockInfo = { pid: number; start: string | null; host: string; child?: { pid: number; start: string | null } };

type ProcState = { state: string; start: string };

/** /proc/<pid>/stat: field 3 is the state, field 22 the start time since boot (tells pid reuse apart). Null without /proc or the process. */
function procState(pid: number): ProcState | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The name (field 2) is in parentheses and may hold spaces or ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19] ? { state: fields[0], start: fields[19] } : null;
  } catch {
    return null;
  }
}

/** SIGKILL is pending (ShdPnd/SigPnd of /proc/<pid>/status): the process will run no more of its own code. */
function killPending(pid: number): boolean {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const SIGKILL_BIT = 1n << 8n; // signal 9
    return [...status.matchAll(/^(?:ShdPnd|SigPnd):\s*([0-9a-f]+)$/gm)].some((m) => (BigInt(`0x${m[1]}`) & SIGKILL_BIT) !== 0n);
  } catch {
    return false;
  }
}

/** Whether the process that wrote the lock may still write to the directory. */
function isAlive(info: LockInfo): boolean {
  if (info.host !== hostname()) return true; // cannot check another machine: be safe
  try {
    process.kill(info.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
    // EPERM: it exists but belongs to another user; /proc says more.
  }
  const proc = procState(info.pid);
  // Without /proc (not Linux) the signal check above is all there is; with
  // it, a pid that has no entry any more is gone.
  if (!proc) return !existsSync("/proc/self/stat");
  if (info.start && proc.start !== info.start) return false; // the pid now names another process
  if (proc.state === "Z" || proc.state === "X" || proc.state === "x") return false; // exited, awaiting its parent
  return !killPending(info.pid);
}

export type DataDirLock = {
  path: string;
  /** Names the process that opened the directory for this one (the database process). */
  adopt(childPid: number): void;
  release(): void;
};

export function acquireDataDirLock(dir: string): DataDirLock {
  const path = join(dir, "tether.lock");
  const me: LockInfo = { pid: process.pid, start: procState(process.pid)?.start ?? null, host: hostname() };
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
      const adopt = (childPid: number) => {
        const next: LockInfo = { ...me, child: { pid: childPid, start: procState(childPid)?.start ?? null } };
        writeFileSync(`${path}.next`, JSON.stringify(next), { mode: 0o600 });
        renameSync(`${path}.next`, path); // never half-written
      };
      process.once("exit", release);
      return { path, adopt, release };
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
    if (holder?.child && isAlive({ ...holder.child, host: holder.host })) throw new DataDirLockedError(path, holder.child.pid, true);
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
