import { afterEach, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { acquireDataDirLock, DataDirLockedError } from "./lock";
import { openEmbeddedDatabase } from "./embedded";

const dirs: string[] = [];
const children: ChildProcess[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "tether-lock-"));
  dirs.push(d);
  return d;
};
const startOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
};

afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("data dir lock", () => {
  it("refuses a second owner while the first process lives, and takes over once it is killed", async () => {
    const dir = tempDir();
    // Another live process holds the lock.
    const other = spawn("sleep", ["30"]);
    children.push(other);
    await new Promise((r) => other.once("spawn", r));
    writeFileSync(join(dir, "tether.lock"), JSON.stringify({ pid: other.pid, start: startOf(other.pid!), host: hostname() }));
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
    expect(() => acquireDataDirLock(dir)).toThrow(/in use by another process \(pid \d+\)/);
    other.kill("SIGKILL");
    await new Promise((r) => other.once("exit", r));
    const lock = acquireDataDirLock(dir);
    expect(JSON.parse(readFileSync(lock.path, "utf8")).pid).toBe(process.pid);
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  it("treats a lock whose pid was reused by another process as stale", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "tether.lock"), JSON.stringify({ pid: process.pid === 1 ? 2 : 1, start: "1", host: hostname() }));
    const lock = acquireDataDirLock(dir);
    expect(lock.path).toBe(join(dir, "tether.lock"));
    expect(JSON.parse(readFileSync(lock.path, "utf8"))).toMatchObject({ pid: process.pid, start: startOf(process.pid), host: hostname() });
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  it("treats an unreadable lock file as stale", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "tether.lock"), "{half");
    const lock = acquireDataDirLock(dir);
    expect(JSON.parse(readFileSync(lock.path, "utf8"))).toMatchObject({ pid: process.pid, host: hostname() });
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  it("lets only one embedded database open a directory, and creates missing parents", async () => {
    const dir = join(tempDir(), "nested", "data");
    const first = await openEmbeddedDatabase(dir);
    await expect(openEmbeddedDatabase(dir)).rejects.toBeInstanceOf(DataDirLockedError);
    await first.pglite.query("create table t (x int)");
    await first.release();
    const second = await openEmbeddedDatabase(dir);
    const res = await second.pglite.query<{ n: number }>("select count(*)::int as n from t");
    expect(res.rows[0].n).toBe(0);
    await second.release();
  });
});
