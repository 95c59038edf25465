// Scaled-mode streaming benchmark: N concurrent replies through two app
// instances sharing PostgreSQL and Redis, compared in the same run with the
// SDK reading the fake directly and with one instance on the same database
// without Redis. See docs/BENCHMARKS.md ("Scaled mode").
//
//   npm run bench:scaled -- [--n 100,500] [--modes single,scaled] [--cross 0.5]
//        [--deltas 300] [--chunk 5] [--delay 5] [--warmup 5]
//        [--pg-url postgresql://postgres@127.0.0.1:5432/test] [--redis-url redis://…]
//        [--port 3250] [--no-build] [--dist .next-bench] [--env KEY=VALUE]… [--stall 60] [--timeout 1200]
//
//   --modes  single: one instance, in-process bus; redis1: one instance, Redis bus;
//            scaled: two instances, Redis bus
//   --cross  share of scaled clients that POST on one instance, drop that
//            connection at the first snapshot and follow the reply on the other
//            (GET /api/messages/:id/stream?after=N); the rest POST and read on
//            one instance, alternating A and B
//   --redis-url  Redis to use; default: a private redis-server started for the
//            run, so that its INFO commandstats count only the app's commands
//   --port   first of five ports (instances, their probes, private Redis); default: free ports
//   --stall  a reply with no event for this many seconds fails (events lost on the way)
//
// Every reply is checked byte for byte (text from SSE == what the fake sent ==
// the final message), with gap-free event ids; any failure exits 1.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { appStream, crossStream, followsElsewhere, newGuest, setStallTimeout } from "./harness/clients";
import { clockOffset, resetFake, startFake, stopFake, type FakeProc } from "./harness/fake";
import { analyse, loadAvg, r1, runDirect, runPhase, type Analysis, type PhaseMetrics } from "./harness/measure";
import { killAll, log, pool, ROOT, setDeadline } from "./harness/proc";
import { appRedisCounters, openRedis, redisDelta, type BenchRedis } from "./harness/redis";
import { benchReply } from "./harness/reply";
import { backendCpu, build, dropSchema, gitInfo, pgClient, probe, startServer, type Server, type ServerStats } from "./harness/server";
import { table, type ModeMetrics, type Row } from "./scaled-report";

const { values: argv } = parseArgs({
  options: {
    n: { type: "string", default: "100,500" },
    modes: { type: "string", default: "single,scaled" },
    cross: { type: "string", default: "0.5" },
    deltas: { type: "string", default: "300" },
    chunk: { type: "string", default: "5" },
    delay: { type: "string", default: "5" },
    warmup: { type: "string", default: "5" },
    "pg-url": { type: "string", default: process.env.BENCH_PG_URL || "postgresql://postgres@127.0.0.1:5432/test" },
    "redis-url": { type: "string", default: "" },
    port: { type: "string", default: "" },
    "no-build": { type: "boolean", default: false },
    dist: { type: "string", default: ".next-bench" },
    env: { type: "string", multiple: true, default: [] },
    timeout: { type: "string", default: "1200" },
    stall: { type: "string", default: "60" },
    out: { type: "string", default: join(ROOT, "bench", "results") },
  },
});
const SIZES = argv.n.split(",").map(Number);
type Mode = "single" | "redis1" | "scaled";
const MODES = argv.modes.split(",").map((s) => s.trim()) as Mode[];
const CROSS = Number(argv.cross);
const WARMUP = Number(argv.warmup);
const PORT = argv.port ? Number(argv.port) : undefined;
if (SIZES.some((n) => !Number.isInteger(n) || n < 1)) throw new Error("bad --n");
if (MODES.some((m) => !["single", "redis1", "scaled"].includes(m))) throw new Error("bad --modes");
if (!(CROSS >= 0 && CROSS <= 1)) throw new Error("bad --cross");
setDeadline(Number(argv.timeout));
setStallTimeout(Number(argv.stall) * 1000);
const RUN_ID = randomBytes(4).toString("hex");
const REPLY = benchReply(Number(argv.deltas), Number(argv.chunk), Number(argv.delay));
const PG_URL = argv["pg-url"];

const isCross = (i: number) => followsElsewhere(i, CROSS);

function extraEnv(): Record<string, string> {
  return Object.fromEntries(
    argv.env.map((kv) => {
      const i = kv.indexOf("=");
      if (i < 1) throw new Error(`--env wants KEY=VALUE, got ${kv}`);
      return [kv.slice(0, i), kv.slice(i + 1)];
    }),
  );
}

/** Errors the instances logged, by message (JSON log lines at level error, and Next.js's "⨯" lines). */
function errorLines(servers: Server[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of servers) {
    for (const line of readFileSync(s.logFile, "utf8").split("\n")) {
      const msg = line.startsWith("⨯ ") ? line.slice(2, 80) : /"level":"(?:error|fatal)".*"msg":"([^"]*)"/.exec(line)?.[1];
      if (msg) out[msg] = (out[msg] ?? 0) + 1;
    }
  }
  return out;
}

async function runMode(fake: FakeProc, redis: BenchRedis, offsetMs: number, mode: Mode, n: number): Promise<ModeMetrics> {
  const tag = `${mode}_${n}`;
  const schema = `bench_${RUN_ID}_${tag}`;
  const appName = `tether_${schema}`;
  const token = randomBytes(16).toString("hex");
  // One deployment: a shared session secret, database schema and (scaled) Redis.
  const env = { SESSION_SECRET: randomBytes(32).toString("hex"), METRICS_TOKEN: token, ...(mode !== "single" ? { REDIS_URL: redis.url } : {}), ...extraEnv() };
  const count = mode === "scaled" ? 2 : 1;
  const servers: Server[] = [];
  try {
    for (let k = 0; k < count; k++) {
      log(`${tag}: starting instance ${"AB"[k]}`); // one after the other: the first migrates the schema
      servers.push(
        await startServer({
          dist: argv.dist,
          fakeUrl: fake.url,
          runId: RUN_ID,
          env,
          postgres: { url: PG_URL, schema, appName, dropOnCleanup: false },
          port: PORT && PORT + k,
          probePort: PORT && PORT + 2 + k,
        }),
      );
    }
    const home = (i: number) => servers[i % count];
    const cross = (i: number) => count > 1 && isCross(i);
    log(`${tag}: creating ${n + WARMUP} guests`);
    // Conversations with a title: no title generation (a second upstream request) after each reply.
    const guests = await pool(n + WARMUP, 16, (i) => newGuest(home(i).base, "bench"));
    await resetFake(fake, REPLY.scenario);
    const warm = await Promise.all(
      guests.slice(n).map((g, j) => {
        const key = `bench-${RUN_ID}-${tag}-warmup-${j} [[fake:{"text":"warm up ✓","chunk":2,"delayMs":20}]]`;
        return cross(j) ? crossStream(home(j).base, home(j + 1).base, g, key) : appStream(home(j).base, g, key);
      }),
    );
    for (const w of warm) if (w.error || w.finalStatus !== "complete" || w.text !== "warm up ✓") throw new Error(`warm-up reply failed: ${w.error ?? w.finalStatus}`);

    const pgc = await pgClient(PG_URL);
    let backends0: Map<number, number> | undefined;
    const redisCpu = async () => (mode !== "single" && redis.private ? (await redis.stats()).cpuMs : 0);
    // Our CPU outside this process and the fake: the instances, their PostgreSQL backends, Redis.
    const serverCpu = async () => {
      let ms = 0;
      for (const s of servers) {
        const st = await probe<ServerStats>(s, "/stats");
        ms += st.cpuUserMs + st.cpuSystemMs;
      }
      const cur = await backendCpu(pgc, appName);
      if (!backends0) backends0 = cur;
      else for (const [pid, t] of cur) ms += t - (backends0.get(pid) ?? 0);
      return ms + (await redisCpu());
    };
    const statsBefore = await Promise.all(servers.map((s) => probe<ServerStats>(s, "/reset", "POST")));
    const redis0 = await redis.stats();
    const app0 = await Promise.all(servers.map((s) => appRedisCounters(s.base, token)));
    const load0 = loadAvg();
    log(`${tag}: ${n} concurrent streams over ${count} instance(s); load average ${load0.join(" ")}`);
    const key = (i: number) => `bench-${RUN_ID}-${tag}-${i}`;
    const { metrics, results, records } = await runPhase(
      fake,
      REPLY,
      offsetMs,
      (i) => (cross(i) ? crossStream(home(i).base, home(i + 1).base, guests[i], key(i)) : appStream(home(i).base, guests[i], key(i))),
      n,
      serverCpu,
    );
    const load1 = loadAvg();
    await pgc.end();
    const redis1 = await redis.stats();
    const app1 = await Promise.all(servers.map((s) => appRedisCounters(s.base, token)));
    const statsAfter = await Promise.all(servers.map((s) => probe<ServerStats>(s, "/stats")));
    const cpuMs = statsAfter.reduce((t, s, k) => t + s.cpuUserMs + s.cpuSystemMs - statsBefore[k].cpuUserMs - statsBefore[k].cpuSystemMs, 0);
    const sum = (xs: ({ commands: number; publishes: number } | null)[], k: "commands" | "publishes") => xs.reduce((t, x) => t + (x?.[k] ?? NaN), 0);
    const split = (pick: (i: number) => boolean): Analysis | undefined => {
      const sub = results.filter((_, i) => pick(i));
      return sub.length ? analyse(REPLY, sub, records, offsetMs, metrics.wallMs) : undefined;
    };
    const serverErrors = errorLines(servers);
    if (metrics.failures.length || Object.keys(serverErrors).length) {
      mkdirSync(argv.out, { recursive: true });
      servers.forEach((s, k) => writeFileSync(join(argv.out, `server-${RUN_ID}-${tag}-${"AB"[k]}.log`), readFileSync(s.logFile)));
      log(`${tag}: ${metrics.failures.length} failed replies, server errors ${JSON.stringify(serverErrors)}; logs kept in ${argv.out}`);
    }
    return {
      ...metrics,
      mode,
      instances: count,
      loadAvg: { before: load0, after: load1 },
      serverCpuMs: Math.round(cpuMs),
      serverEventLoopDelayMs: statsAfter.map((s) => s.eventLoopDelayMs),
      serverErrors,
      local: split((i) => !cross(i)),
      followers: count > 1 ? split(cross) : undefined,
      redis:
        mode !== "single"
          ? {
              ...redisDelta(redis0, redis1),
              private: redis.private,
              busCommands: sum(app1, "commands") - sum(app0, "commands"),
              busPublishes: sum(app1, "publishes") - sum(app0, "publishes"),
            }
          : undefined,
    };
  } finally {
    for (const s of servers) await s.cleanup();
    await dropSchema(PG_URL, schema);
  }
}

async function main() {
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: r1(totalmem() / 2 ** 30), node: process.version };
  const config = {
    sizes: SIZES,
    modes: MODES,
    cross: CROSS,
    deltasPerReply: REPLY.deltas,
    replyUtf16Length: REPLY.text.length,
    delayMs: Number(argv.delay),
    warmup: WARMUP,
  };
  log(`run ${RUN_ID}: ${JSON.stringify(config)}; load average ${loadAvg().join(" ")}`);
  if (!argv["no-build"]) await build(argv.dist);
  const fake = await startFake();
  const redis = await openRedis({ url: argv["redis-url"] || undefined, port: PORT && PORT + 4 });
  const rows: Row[] = [];
  try {
    const { offsetMs, uncertaintyMs } = await clockOffset(fake);
    log(`fake upstream ${fake.url}; clock offset ${offsetMs.toFixed(3)} ± ${uncertaintyMs.toFixed(3)} ms; redis ${redis.url}${redis.private ? " (private)" : ""}`);
    for (const n of SIZES) {
      log(`N=${n}: ${n} concurrent SDK streams reading the fake directly`);
      const direct: PhaseMetrics = await runDirect(fake, REPLY, offsetMs, n, `bench-${RUN_ID}-direct-${n}`, WARMUP);
      const modes: ModeMetrics[] = [];
      for (const mode of MODES) {
        const m = await runMode(fake, redis, offsetMs, mode, n);
        modes.push(m);
        log(
          `${mode}_${n}: ${m.ok}/${n} exact, ${m.deltaEventsPerSec} ev/s, TTFT p50 ${m.ttftMs.p50} ms, latency p50/p99 ${m.latencyMs.p50}/${m.latencyMs.p99} ms; others' load ${m.machine.othersCores} cores`,
        );
      }
      rows.push({ n, direct, modes });
    }
  } finally {
    await stopFake(fake);
    await redis.stop();
    killAll();
  }
  const md = table(rows, REPLY.deltas);
  const failures = rows.flatMap((r) => [r.direct, ...r.modes].flatMap((m) => m.failures.map((f) => `${r.n}: ${f}`)));
  mkdirSync(argv.out, { recursive: true });
  const file = join(argv.out, `scaled-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, JSON.stringify({ runId: RUN_ID, date: new Date().toISOString(), commit: gitInfo(), machine, config, rows, table: md, failures }, null, 2));
  console.log(`\n${md}\n`);
  console.log(`machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, node ${machine.node}; load average now ${loadAvg().join(" ")}`);
  console.log(`results: ${file}`);
  if (failures.length) {
    console.error(`\nFAILED: ${failures.length} wrong or missing replies, e.g.\n  ${failures.slice(0, 5).join("\n  ")}`);
    process.exit(1);
  }
  process.exit(0);
}

main().catch((e) => {
  console.error("bench failed:", e);
  killAll();
  process.exit(1);
});
