// The app under test: `next start` of a build in its own dist dir, with
// bench/probe.mjs preloaded (memory, CPU, event loop from the inside), its
// PostgreSQL backends and table statistics, and the build itself.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort, log, remaining, ROOT, sleep, stopChild, track } from "./proc";

export type Server = {
  base: string;
  proc: ChildProcess;
  pid: number;
  probe: string;
  /** The embedded database's own process, probed likewise (none on PostgreSQL). */
  dbProbe?: string;
  logFile: string;
  cleanup: () => Promise<void>;
  pgSchema?: string;
  appName?: string;
};

export type ServerOptions = {
  /** Dist dir of the build (NEXT_DIST_DIR). */
  dist: string;
  fakeUrl: string;
  /** Names the temporary dir and, for PostgreSQL, the schema. */
  runId: string;
  /** PostgreSQL: the server URL, the schema and application_name to use. */
  postgres?: { url: string; schema: string; appName: string; dropOnCleanup: boolean };
  /** Extra environment, applied after the defaults (REDIS_URL, SESSION_SECRET…). */
  env?: Record<string, string>;
  port?: number;
  probePort?: number;
  /** Extra node flags (e.g. --cpu-prof). */
  nodeArgs?: string[];
  stopGraceMs?: number;
  /** Where the temporary DATA_DIR and log go (default: the OS temp dir). */
  tmpRoot?: string;
};

export function procStatus(pid: number): { rssKb: number; hwmKb: number } {
  const s = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(s)?.[1] ?? NaN);
  return { rssKb: kb("VmRSS"), hwmKb: kb("VmHWM") };
}

/** The next-server process: the spawned node itself, or a descendant named next-server. */
function serverPid(pid: number): number {
  const comm = (p: number) => readFileSync(`/proc/${p}/comm`, "utf8").trim();
  if (comm(pid).startsWith("next-server")) return pid;
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift()!;
    for (const d of readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, "utf8");
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        if (ppid !== p) continue;
        if (comm(Number(d)).startsWith("next-server")) return Number(d);
        queue.push(Number(d));
      } catch {
        /* gone */
      }
    }
  }
  return pid;
}

export async function startServer(o: ServerOptions): Promise<Server> {
  const port = o.port ?? (await freePort());
  const probePort = o.probePort ?? (await freePort());
  const dbProbePort = await freePort();
  const tmp = mkdtempSync(join(o.tmpRoot ?? tmpdir(), `tether-bench-${o.runId}-`));
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (/^(DATABASE_URL|REDIS_URL|INNGEST_|ANTHROPIC_|NEXT_DIST_DIR|NODE_OPTIONS|PORT$|MAX_ACTIVE|METRICS_TOKEN)/.test(k)) delete env[k];
  Object.assign(env, {
    NODE_ENV: "production",
    NEXT_DIST_DIR: o.dist,
    NEXT_TELEMETRY_DISABLED: "1",
    DATA_DIR: join(tmp, "data"),
    SESSION_SECRET: randomBytes(32).toString("hex"),
    LLM_PROVIDER: "anthropic",
    ANTHROPIC_API_KEY: "x",
    ANTHROPIC_BASE_URL: o.fakeUrl,
    CONVERSATION_TITLES: "off", // a title request per reply would load the app during the measurement
    GUEST_RATE_LIMIT: "0", // every client is a guest from 127.0.0.1
    MAX_ACTIVE_GENERATIONS: "0", // the benchmark measures past any cap (--env sets one)
    NODE_OPTIONS: `--import=${join(ROOT, "bench", "probe.mjs")}`,
    BENCH_PROBE_PORT: String(probePort),
    BENCH_DB_PROBE_PORT: String(dbProbePort),
  });
  if (o.postgres) {
    const u = new URL(o.postgres.url);
    u.searchParams.set("schema", o.postgres.schema);
    u.searchParams.set("application_name", o.postgres.appName);
    env.DATABASE_URL = u.toString();
  }
  Object.assign(env, o.env ?? {});
  const logFile = join(tmp, "server.log");
  const out = createWriteStream(logFile);
  const proc = track(
    spawn(process.execPath, ["--expose-gc", ...(o.nodeArgs ?? []), join(ROOT, "node_modules/next/dist/bin/next"), "start", "-p", String(port), "-H", "127.0.0.1"], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  proc.stdout!.pipe(out);
  proc.stderr!.pipe(out);
  const base = `http://127.0.0.1:${port}`;
  const cleanup = async () => {
    await stopChild(proc, o.stopGraceMs ?? 5000);
    out.end();
    if (o.postgres?.dropOnCleanup) await dropSchema(o.postgres.url, o.postgres.schema);
    rmSync(tmp, { recursive: true, force: true });
  };
  // The first start migrates a fresh database: allow a minute and a half.
  const until = Date.now() + Math.min(90_000, remaining());
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited (${proc.exitCode}):\n${readFileSync(logFile, "utf8").slice(-2000)}`);
    try {
      const res = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(5000) });
      if (res.ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > until) {
      const tail = readFileSync(logFile, "utf8").slice(-2000);
      await cleanup();
      throw new Error(`server did not become healthy:\n${tail}`);
    }
    await sleep(250);
  }
  return {
    base,
    proc,
    pid: serverPid(proc.pid!),
    probe: `http://127.0.0.1:${probePort}`,
    dbProbe: o.postgres ? undefined : `http://127.0.0.1:${dbProbePort}`,
    logFile,
    cleanup,
    pgSchema: o.postgres?.schema,
    appName: o.postgres?.appName,
  };
}

/** Asks the server's probe, or with `db` the embedded database process's. */
export async function probe<T>(s: Server, path: string, method = "GET", db = false): Promise<T> {
  const at = db ? s.dbProbe : s.probe;
  if (!at) throw new Error("no embedded database process to probe");
  const res = await fetch(at + path, { method, signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`probe ${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<T>;
}

export type ServerStats = {
  rss: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  heapUsed: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number; mean: number };
  longBlocks: { endMonoUs: number; blockedMs: number }[];
};

// ---- PostgreSQL ----------------------------------------------------------------

/** A client of the PostgreSQL server (no schema). */
export async function pgClient(pgUrl: string): Promise<pg.Client> {
  const u = new URL(pgUrl);
  u.searchParams.delete("schema");
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  return c;
}

export async function dropSchema(pgUrl: string, schema: string): Promise<void> {
  const c = await pgClient(pgUrl);
  try {
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await c.end();
  }
}

/** CPU time (ms) of the app's PostgreSQL backends, by pid (same machine: /proc). */
export async function backendCpu(c: pg.Client, appName: string): Promise<Map<number, number>> {
  const { rows } = await c.query("SELECT pid FROM pg_stat_activity WHERE application_name = $1", [appName]);
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(pid, (Number(f[11]) + Number(f[12])) * 10); // utime + stime, USER_HZ = 100
    } catch {
      /* exited */
    }
  }
  return out;
}

export type TableStats = Record<string, { ins: number; upd: number; hot: number; del: number }>;

/**
 * PostgreSQL table statistics of one schema. Backends flush their counters at
 * most once a second and, when idle, 10 s later; so read only when the app's
 * connections (`appName`) are gone (`afterExit`) or have been idle > 10 s,
 * then until two reads agree.
 */
export async function postgresStats(pgUrl: string, schema: string, appName: string, afterExit: boolean): Promise<TableStats> {
  const c = await pgClient(pgUrl);
  try {
    const until = Date.now() + 30_000;
    if (afterExit) {
      while (Date.now() < until) {
        const { rows } = await c.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1", [appName]);
        if (rows[0].n === 0) break;
        await sleep(100);
      }
    } else {
      await sleep(10_500);
    }
    let prev = "";
    for (;;) {
      await c.query("SELECT pg_stat_clear_snapshot()");
      const { rows } = await c.query(
        `SELECT relname, n_tup_ins::int AS ins, n_tup_upd::int AS upd, n_tup_hot_upd::int AS hot, n_tup_del::int AS del
         FROM pg_stat_user_tables WHERE schemaname = $1 ORDER BY relname`,
        [schema],
      );
      const cur = JSON.stringify(rows);
      if (cur === prev || Date.now() > until) return Object.fromEntries(rows.map(({ relname, ...t }) => [relname, t]));
      prev = cur;
      await sleep(500);
    }
  } finally {
    await c.end();
  }
}

// ---- build ---------------------------------------------------------------------

export function gitInfo() {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT }).toString().trim();
    const dirty = execFileSync("git", ["status", "--porcelain"], { cwd: ROOT }).toString().trim() !== "";
    return `${commit}${dirty ? " (with uncommitted changes)" : ""}`;
  } catch {
    return "unknown";
  }
}

/** `next build` into `dist`, putting tsconfig.json back afterwards. */
export async function build(dist: string) {
  log(`building into ${dist} (skip with --no-build)`);
  const proc = track(
    spawn(process.execPath, [join(ROOT, "node_modules/next/dist/bin/next"), "build"], {
      cwd: ROOT,
      env: { ...process.env, NEXT_DIST_DIR: dist, NEXT_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  // `next build` with another distDir adds its type folders to tsconfig.json
  // (and reformats it): put the file back as it was.
  const tsconfig = join(ROOT, "tsconfig.json");
  const original = readFileSync(tsconfig, "utf8");
  let output = "";
  proc.stdout!.on("data", (d) => (output += d));
  proc.stderr!.on("data", (d) => (output += d));
  const code = await new Promise<number | null>((r) => proc.once("exit", r));
  if (readFileSync(tsconfig, "utf8") !== original) writeFileSync(tsconfig, original);
  if (code !== 0) throw new Error(`next build failed (${code}):\n${output.slice(-3000)}`);
}
