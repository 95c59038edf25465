// Streaming benchmark: N concurrent replies through the built app against the
// fake Anthropic API, compared with the Anthropic SDK reading the same fake
// directly and with a bare SSE relay, in the same run. See docs/BENCHMARKS.md
// for what is measured and how to read it. `--db scaled` adds scaled mode (two
// instances on PostgreSQL sharing a private Redis) to the same run; its own
// deeper report (Redis commands, followers): bench/scaled.ts.
//
//   npm run bench -- [--n 1x40,100,500] [--deltas 300] [--chunk 5] [--delay 5]
//                    [--db pglite,postgres,scaled] [--pg-url postgresql://postgres@127.0.0.1:5432/test]
//                    [--no-build] [--dist .next-bench] [--warmup 5] [--env KEY=VALUE]… [--cpu-prof]
//                    [--no-gzip] [--timeout 1800] [--out bench/results]
//
//   --n        concurrent streams per phase (each size is one phase per database);
//              1xK: K streams one after another (a lone reply, K samples)
//   --deltas   text deltas per reply; --chunk code points per delta; --delay ms between deltas
//   --db       where the app runs: pglite, postgres (a throw-away schema in --pg-url), scaled
//              (two instances on such a schema and a private redis-server; half of each
//              pair of clients follows its reply on the other instance)
//   --no-build reuse the build in --dist (else `next build` into it first)
//   --env      extra environment for the app server (e.g. DATABASE_POOL_SIZE=50)
//   --cpu-prof V8 CPU profile of each server, into --out/cpu-<run>/
//   --no-gzip  the app's clients ask for identity instead of gzip (to compare)
//
// Processes: this one (the clients: SDK streams, or HTTP+SSE clients of the
// app), the fake upstream (bench/fake-upstream.ts, forked), and the app
// (`next start` of a build in .next-bench, one fresh server per measured phase).
// Every reply is checked byte for byte; any wrong, failed or missing reply
// makes the run fail (exit 1) after the report. The shared pieces live in
// bench/harness/; one app phase is in bench/streams-app.ts, the report's
// tables in bench/streams-report.ts.
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { clockOffset, startFake, stopFake, type FakeProc } from "./harness/fake";
import { r1, runDirect } from "./harness/measure";
import { killAll, log, ROOT, setDeadline } from "./harness/proc";
import { openRedis, type BenchRedis } from "./harness/redis";
import { benchReply } from "./harness/reply";
import { build, gitInfo, startServer, type Server } from "./harness/server";
import { runApp, type AppDb, type AppRun } from "./streams-app";
import { againstRelay, breakdown, followers, table, type Row } from "./streams-report";
import { runRelay } from "./harness/relay";
import { setAcceptGzip } from "./harness/sse-request";

// ---- configuration ---------------------------------------------------------

const { values: argv } = parseArgs({
  options: {
    n: { type: "string", default: "100,500" },
    deltas: { type: "string", default: "300" },
    chunk: { type: "string", default: "5" },
    delay: { type: "string", default: "5" },
    db: { type: "string", default: "pglite,postgres,scaled" },
    "pg-url": { type: "string", default: process.env.BENCH_PG_URL || "postgresql://postgres@127.0.0.1:5432/test" },
    "no-build": { type: "boolean", default: false },
    dist: { type: "string", default: ".next-bench" },
    timeout: { type: "string", default: "1800" },
    warmup: { type: "string", default: "5" },
    "cpu-prof": { type: "boolean", default: false },
    "no-gzip": { type: "boolean", default: false },
    env: { type: "string", multiple: true, default: [] },
    out: { type: "string", default: join(ROOT, "bench", "results") },
  },
});

/** "100": 100 at once; "1x40": 40 one after another. */
const PHASES = argv.n.split(",").map((s) => {
  const serial = /^1x(\d+)$/.exec(s.trim());
  return serial ? { n: Number(serial[1]), serial: true } : { n: Number(s.trim()), serial: false };
});
const SIZES = PHASES.map((p) => p.n);
const DELTAS = Number(argv.deltas);
const CHUNK = Number(argv.chunk);
const DELAY_MS = Number(argv.delay);
const DBS = argv.db.split(",").map((s) => s.trim()) as AppDb[];
const WARMUP = Number(argv.warmup);
const DIST_DIR = argv.dist;
for (const [k, v] of Object.entries({ n: SIZES, deltas: [DELTAS], chunk: [CHUNK], delay: [DELAY_MS], warmup: [WARMUP] })) {
  if (v.some((x) => !Number.isFinite(x) || x < 0 || (k !== "delay" && k !== "warmup" && x < 1))) throw new Error(`bad --${k}`);
}
for (const d of DBS) if (!["pglite", "postgres", "scaled"].includes(d)) throw new Error(`bad --db ${d}`);
setDeadline(Number(argv.timeout));
setAcceptGzip(!argv["no-gzip"]);

const RUN_ID = randomBytes(4).toString("hex");
const STOP_GRACE_MS = argv["cpu-prof"] ? 30_000 : 5000; // writing a CPU profile takes a while
const REPLY = benchReply(DELTAS, CHUNK, DELAY_MS);
const TEXT = REPLY.text;

/** --env KEY=VALUE: extra server settings (e.g. DATABASE_POOL_SIZE=50). */
function extraEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of argv.env) {
    const i = kv.indexOf("=");
    if (i < 1) throw new Error(`--env wants KEY=VALUE, got ${kv}`);
    env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return env;
}

/** Scaled mode's Redis: a private redis-server for the run, started with the first scaled phase. */
let redis: BenchRedis | undefined;

async function startApp(fake: FakeProc, db: AppDb, tag: string): Promise<Server[]> {
  const schema = `bench_${RUN_ID}_${tag}`.replace(/[^a-z0-9_]/g, "_");
  const postgres = (first: boolean) => (db === "pglite" ? undefined : { url: argv["pg-url"], schema, appName: `tether_${schema}`, dropOnCleanup: first });
  const start = (k: number, env: Record<string, string>) =>
    startServer({
      dist: DIST_DIR,
      fakeUrl: fake.url,
      runId: RUN_ID,
      postgres: postgres(k === 0),
      env,
      nodeArgs: profArgs(`${tag}${k ? "_B" : ""}`),
      stopGraceMs: STOP_GRACE_MS,
    });
  if (db !== "scaled") return [await start(0, extraEnv())];
  redis ??= await openRedis({});
  // One deployment: a shared session secret, schema and Redis. B starts once A has migrated the schema.
  const env = { SESSION_SECRET: randomBytes(32).toString("hex"), REDIS_URL: redis.url, ...extraEnv() };
  const a = await start(0, env);
  try {
    return [a, await start(1, env)];
  } catch (e) {
    await a.cleanup();
    throw e;
  }
}

/** --cpu-prof: a V8 CPU profile of each server, written when it stops (open it in Chrome DevTools). */
function profArgs(tag: string): string[] {
  if (!argv["cpu-prof"]) return [];
  const dir = join(argv.out, `cpu-${RUN_ID}`);
  mkdirSync(dir, { recursive: true });
  return ["--cpu-prof", `--cpu-prof-dir=${dir}`, `--cpu-prof-name=server-${tag}.cpuprofile`];
}

const APP_RUN: AppRun = {
  runId: RUN_ID,
  reply: REPLY,
  warmup: WARMUP,
  pgUrl: argv["pg-url"],
  out: argv.out,
  stopGraceMs: STOP_GRACE_MS,
  startApp,
  redisCpuMs: async () => (redis ? (await redis.stats()).cpuMs : 0),
};

// ---- main --------------------------------------------------------------------------

async function main() {
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: r1(totalmem() / 2 ** 30), node: process.version, platform: process.platform };
  const config = {
    sizes: SIZES,
    deltasPerReply: DELTAS,
    codePointsPerDelta: CHUNK,
    delayMs: DELAY_MS,
    replyUtf16Length: TEXT.length,
    replyBytes: Buffer.byteLength(TEXT),
    dbs: DBS,
    warmupStreams: WARMUP,
  };
  log(`run ${RUN_ID}: ${JSON.stringify(config)}`);
  if (!argv["no-build"]) await build(DIST_DIR);
  const fake = await startFake();
  const rows: Row[] = [];
  let clockStart, clockEnd;
  try {
    clockStart = await clockOffset(fake);
    log(`fake upstream ${fake.url}; clock offset ${clockStart.offsetMs.toFixed(3)} ± ${clockStart.uncertaintyMs.toFixed(3)} ms`);
    const offset = clockStart.offsetMs;
    for (const db of DBS) {
      for (const { n, serial } of PHASES) {
        const tag = `${db}_${serial ? "1x" : ""}${n}`;
        const how = serial ? "one after another" : "concurrent";
        log(`${tag}: ${n} ${how} SDK streams reading the fake directly`);
        const direct = await runDirect(fake, REPLY, offset, n, `bench-${RUN_ID}-${tag}_direct`, WARMUP, serial);
        log(`${tag}: ${n} ${how} clients of the bare relay`);
        const relay = await runRelay(fake, REPLY, offset, n, `bench-${RUN_ID}-${tag}_relay`, WARMUP, serial);
        const app = await runApp(APP_RUN, fake, offset, db, n, serial);
        rows.push({ db, n: serial ? `1 (×${n})` : n, direct, relay, app });
        log(
          `${tag}: direct ${direct.deltaEventsPerSec} ev/s, latency p50/p99 ${direct.latencyMs.p50}/${direct.latencyMs.p99} ms; app ${app.deltaEventsPerSec} ev/s, latency p50/p99 ${app.latencyMs.p50}/${app.latencyMs.p99} ms, ${app.ok}/${n} exact; others' load ${direct.machine.othersCores}/${app.machine.othersCores} cores`,
        );
      }
    }
    clockEnd = await clockOffset(fake);
  } finally {
    await stopFake(fake);
    await redis?.stop();
    killAll();
  }

  const md = [table(rows), breakdown(rows), againstRelay(rows), followers(rows)].filter(Boolean).join("\n\n");
  const failures = rows.flatMap((r) => [
    ...r.direct.failures.map((f) => `${r.db} ${r.n} direct: ${f}`),
    ...r.relay.failures.map((f) => `${r.db} ${r.n} relay: ${f}`),
    ...r.app.failures.map((f) => `${r.db} ${r.n} app: ${f}`),
  ]);
  const result = {
    runId: RUN_ID,
    date: new Date().toISOString(),
    commit: gitInfo(),
    machine,
    config,
    clock: { start: clockStart, end: clockEnd },
    rows,
    table: md,
    failures,
  };
  mkdirSync(argv.out, { recursive: true });
  const file = join(argv.out, `streams-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2));
  console.log(`\n${md}\n`);
  console.log(
    `machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, node ${machine.node}; ${DELTAS} deltas × ${CHUNK} code points per reply, ${DELAY_MS} ms apart; app clients accept ${argv["no-gzip"] ? "identity" : "gzip"}`,
  );
  console.log(`results: ${file}`);
  if (failures.length) {
    // Grouped by what went wrong (the stream's key removed), then a few in full.
    const kinds = new Map<string, number>();
    for (const f of failures) {
      const k = f.replace(/bench-[0-9a-f]+-\S+: /, "");
      kinds.set(k, (kinds.get(k) ?? 0) + 1);
    }
    console.error(`\nFAILED: ${failures.length} repl${failures.length === 1 ? "y was" : "ies were"} wrong or missing:`);
    for (const [k, c] of [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.error(`  ${c} × ${k}`);
    console.error(`e.g.\n  ${failures.slice(0, 3).join("\n  ")}`);
    process.exit(1);
  }
  process.exit(0);
}

main().catch((e) => {
  console.error("bench failed:", e);
  killAll();
  process.exit(1);
});
