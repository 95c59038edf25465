import { afterEach, describe, expect, it, vi } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
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

const stateOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
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

  it("takes over at once from a holder killed with SIGKILL that is still a zombie", async () => {
    const dir = tempDir();
    // The holder's parent is `sleep`, which never reaps it: once killed, the
    // holder stays a zombie (still listed, signal 0 still succeeds) until the
    // test kills `sleep` too — what a supervisor restarting at once can meet.
    const fixture = fileURLToPath(new URL("./lock-holder.fixture.ts", import.meta.url));
    const parent = spawn("sh", ["-c", `"${process.execPath}" --import tsx "$0" "$1" & exec sleep 1000`, fixture, dir], {
      stdio: ["ignore", "pipe", "inherit"],
      cwd: fileURLToPath(new URL("../../..", import.meta.url)),
    });
    children.push(parent);
    const holder = await new Promise<number>((resolve, reject) => {
      let out = "";
      parent.stdout!.on("data", (c) => {
        out += c;
        const m = /locked (\d+)\n/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      parent.once("exit", () => reject(new Error(`the holder's parent exited: ${out}`)));
    });
    expect(() => acquireDataDirLock(dir)).toThrow(new RegExp(`in use by another process \\(pid ${holder}\\)`)); // alive: refused

    process.kill(holder, "SIGKILL");
    await vi.waitFor(() => expect(stateOf(holder)).toBe("Z"), { timeout: 20_000, interval: 20 });
    expect(() => process.kill(holder, 0)).not.toThrow(); // still listed

    const lock = acquireDataDirLock(dir);
    expect(JSON.parse(readFileSync(lock.path, "utf8"))).toMatchObject({ pid: process.pid, start: startOf(process.pid), host: hostname() });
    expect(stateOf(holder)).toBe("Z"); // taken over while the holder was a zombie
    lock.release();
  });

  it("treats a lock naming a live process with another start time (a reused pid) as stale", async () => {
    const dir = tempDir();
    const other = spawn("sleep", ["30"]);
    children.push(other);
    await new Promise((r) => other.once("spawn", r));
    const start = Number(startOf(other.pid!));
    writeFileSync(join(dir, "tether.lock"), JSON.stringify({ pid: other.pid, start: String(start + 1), host: hostname() }));
    const lock = acquireDataDirLock(dir);
    expect(JSON.parse(readFileSync(lock.path, "utf8")).pid).toBe(process.pid);
    lock.release();
    // The same live process with its own start time still holds it.
    writeFileSync(join(dir, "tether.lock"), JSON.stringify({ pid: other.pid, start: String(start), host: hostname() }));
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
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

  it("stays held by a gone server's database process until that exits, then is taken; the holder names its own", async () => {
    const dir = tempDir();
    const gone = spawn("true");
    await new Promise((r) => gone.once("exit", r));
    const dbProcess = spawn("sleep", ["30"]);
    children.push(dbProcess);
    await new Promise((r) => dbProcess.once("spawn", r));
    const child = { pid: dbProcess.pid, start: startOf(dbProcess.pid!) };
    writeFileSync(join(dir, "tether.lock"), JSON.stringify({ pid: gone.pid, start: null, host: hostname(), child }));
    const refused = (() => {
      try {
        acquireDataDirLock(dir);
      } catch (e) {
        return e;
      }
    })();
    expect(refused).toBeInstanceOf(DataDirLockedError);
    expect(refused).toMatchObject({ holderPid: dbProcess.pid, closing: true });
    dbProcess.kill("SIGKILL");
    await new Promise((r) => dbProcess.once("exit", r));
    const lock = acquireDataDirLock(dir);
    const mine = spawn("sleep", ["30"]);
    children.push(mine);
    await new Promise((r) => mine.once("spawn", r));
    lock.adopt(mine.pid!);
    expect(JSON.parse(readFileSync(lock.path, "utf8"))).toEqual({
      pid: process.pid,
      start: startOf(process.pid),
      host: hostname(),
      child: { pid: mine.pid, start: startOf(mine.pid!) },
    });
    // Held again: a second open is refused.
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
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
