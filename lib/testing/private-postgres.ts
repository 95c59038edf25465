// A throwaway PostgreSQL cluster of a test's own (a temp dir, a free port,
// its socket in the temp dir), so a test may stop and restart the server:
// never the shared one on 5432. Uses the Debian PostgreSQL binaries; as root,
// initdb and postgres run as the `postgres` OS user.
import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export type PrivatePostgres = {
  url: string;
  port: number;
  dir: string;
  /** Stops the server (`immediate`: like a crash; `fast`: clean). */
  stop(mode?: "immediate" | "fast"): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its files. */
  destroy(): Promise<void>;
};

export function findPostgresBin(): string | undefined {
  const base = "/usr/lib/postgresql";
  const candidates = [process.env.PG_BIN, `${base}/15/bin`, `${base}/16/bin`, `${base}/17/bin`].filter(Boolean) as string[];
  return candidates.find((d) => existsSync(join(d, "initdb")) && existsSync(join(d, "pg_ctl")));
}

/** Why a private cluster cannot be made here, or undefined when it can. */
export function privatePostgresUnavailable(): string | undefined {
  if (!findPostgresBin()) return "no PostgreSQL server binaries (initdb, pg_ctl) found";
  if (process.getuid?.() === 0 && !existsSync("/usr/sbin/runuser") && !existsSync("/sbin/runuser")) {
    return "running as root without runuser to drop to the postgres user";
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = findPostgresBin();
  if (!bin) throw new Error("no PostgreSQL binaries");
  const dir = mkdtempSync(join(tmpdir(), "tether-pg-"));
  const data = join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const pg = (tool: string, args: string[]) => (asRoot ? run("runuser", ["-u", "postgres", "--", join(bin, tool), ...args]) : run(join(bin, tool), args));
  await pg("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40`;
  const start = async () => void (await pg("pg_ctl", ["-D", data, "-l", join(dir, "log"), "-o", opts, "-w", "-t", "60", "start"]));
  const stop = async (mode: "immediate" | "fast" = "immediate") => void (await pg("pg_ctl", ["-D", data, "-m", mode, "-w", "stop"]));
  await start();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    stop,
    start,
    destroy: async () => {
      await stop("immediate").catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
