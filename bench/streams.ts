// Streaming benchmark: N concurrent replies through the built app against the
// fake Anthropic API, compared with the Anthropic SDK reading the same fake
// directly, in the same run. See docs/BENCHMARKS.md for what is measured and
// how to read it. Scaled mode (two instances, PostgreSQL + Redis): bench/scaled.ts.
//
//   npm run bench -- [--n 100,500] [--deltas 300] [--chunk 5] [--delay 5]
//                    [--db pglite,postgres] [--pg-url postgresql://postgres@127.0.0.1:5432/test]
//                    [--no-build] [--dist .next-bench] [--warmup 5] [--env KEY=VALUE]… [--cpu-prof]
//                    [--timeout 600] [--out bench/results]
//
//   --n        concurrent streams per phase (each size is one phase per database)
//   --deltas   text deltas per reply; --chunk code points per delta; --delay ms between deltas
//   --db       which databases the app runs on (PostgreSQL: a throw-away schema in --pg-url)
//   --no-build reuse the build in --dist (else `next build` into it first)
//   --env      extra environment for the app server (e.g. DATABASE_POOL_SIZE=50)
//   --cpu-prof V8 CPU profile of each server, into --out/cpu-<run>/
//
// Processes: this one (the clients: SDK streams, or HTTP+SSE clients of the
// app), the fake upstream (bench/fake-upstream.ts, forked), and the app
// (`next start` of a build in .next-bench, one fresh server per measured phase).
// Every reply is checked byte for byte; any wrong, failed or missing reply
// makes the run fail (exit 1) after the report. The shared pieces live in
// bench/harness/.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { appStream, newGuest } from "./harness/clients";
import { clockOffset, resetFake, startFake, stopFake, type FakeProc } from "./harness/fake";
import { dist, r1, r2, runDirect, runPhase, type PhaseMetrics } from "./harness/measure";
import { killAll, log, pool, ROOT, setDeadline, sleep, stopChild } from "./harness/proc";
import { benchReply } from "./harness/reply";
import {
  backendCpu, build, gitInfo, pgClient, postgresStats, probe, procStatus, startServer,
  type Server, type ServerStats, type TableStats,
} from "./harness/server";

// ---- configuration ---------------------------------------------------------

const { values: argv } = parseArgs({
  options: {
    n: { type: "string", default: "100,500" },
    deltas: { type: "string", default: "300" },
    chunk: { type: "string", default: "5" },
    delay: { type: "string", default: "5" },
    db: { type: "string", default: "pglite,postgres" },
    "pg-url": { type: "string", default: process.env.BENCH_PG_URL || "postgresql://postgres@127.0.0.1:5432/test" },
    "no-build": { type: "boolean", default: false },
    dist: { type: "string", default: ".next-bench" },
    timeout: { type: "string", default: "600" },
    warmup: { type: "string", default: "5" },
    "cpu-prof": { type: "boolean", default: false },
    env: { type: "string", multiple: true, default: [] },
    out: { type: "string", default: join(ROOT, "bench", "results") },
  },
});

const SIZES = argv.n.split(",").map((s) => Number(s.trim()));
const DELTAS = Number(argv.deltas);
const CHUNK = Number(argv.chunk);
const DELAY_MS = Number(argv.delay);
const DBS = argv.db.split(",").map((s) => s.trim()) as ("pglite" | "postgres")[];
const WARMUP = Number(argv.warmup);
const DIST_DIR = argv.dist;
for (const [k, v] of Object.entries({ n: SIZES, deltas: [DELTAS], chunk: [CHUNK], delay: [DELAY_MS], warmup: [WARMUP] })) {
  if (v.some((x) => !Number.isFinite(x) || x < 0 || (k !== "delay" && k !== "warmup" && x < 1))) throw new Error(`bad --${k}`);
}
for (const d of DBS) if (d !== "pglite" && d !== "postgres") throw new Error(`bad --db ${d}`);
setDeadline(Number(argv.timeout));

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

async function startApp(fake: FakeProc, db: "pglite" | "postgres", tag: string): Promise<Server> {
  const schema = `bench_${RUN_ID}_${tag}`.replace(/[^a-z0-9_]/g, "_");
  return startServer({
    dist: DIST_DIR,
    fakeUrl: fake.url,
    runId: RUN_ID,
    postgres: db === "postgres" ? { url: argv["pg-url"], schema, appName: `tether_${schema}`, dropOnCleanup: true } : undefined,
    env: extraEnv(),
    nodeArgs: profArgs(tag),
    stopGraceMs: STOP_GRACE_MS,
  });
}

/** --cpu-prof: a V8 CPU profile of each server, written when it stops (open it in Chrome DevTools). */
function profArgs(tag: string): string[] {
  if (!argv["cpu-prof"]) return [];
  const dir = join(argv.out, `cpu-${RUN_ID}`);
  mkdirSync(dir, { recursive: true });
  return ["--cpu-prof", `--cpu-prof-dir=${dir}`, `--cpu-prof-name=server-${tag}.cpuprofile`];
}

// ---- PGlite statistics (inside the server process, through the probe) ----------

type PgliteTime = { statements: { statement: string; calls: number; ms: number; maxMs: number }[]; transactions: { count: number; heldMs: number; maxHeldMs: number } };

async function pgliteStats(s: Server): Promise<{ tables: TableStats; time: PgliteTime }> {
  const { tables, time } = await probe<{ tables: { relname: string; ins: number; upd: number; hot: number; del: number }[]; time: PgliteTime }>(s, "/pglite");
  return { tables: Object.fromEntries(tables.map(({ relname, ...t }) => [relname, t])), time };
}


/** Where PGlite kept the server's main thread busy during the phase. */
function summarizePglite(t: PgliteTime, n: number, wallMs: number) {
  const totalMs = t.statements.reduce((a, s) => a + s.ms, 0);
  return {
    execMs: totalMs,
    execMsPerReply: r2(totalMs / n),
    execShareOfWall: r2(totalMs / wallMs),
    transactions: t.transactions,
    topStatements: t.statements.slice(0, 12).map((s) => ({ ...s, msPerCall: r2(s.ms / Math.max(1, s.calls)) })),
  };
}


type AppMetrics = PhaseMetrics & {
  server: {
    rssStartMb: number;
    rssBeforeMb: number;
    rssAfterMb: number;
    rssAfterGcMb: number;
    heapAfterGcMb: number;
    rssPeakMb: number;
    heapBeforeMb: number;
    heapAfterMb: number;
    cpuMs: number;
    cpuPercent: number;
    eventLoopDelayMs: ServerStats["eventLoopDelayMs"];
    /** event-loop stalls over 200 ms: when they ended (CLOCK_MONOTONIC µs, as in --cpu-prof profiles) */
    longBlocks: ServerStats["longBlocks"];
    postgresBackendsCpuMs?: number;
  };
  db: {
    source: string;
    replies: number;
    messageInsertsPerReply: number;
    messageUpdatesPerReply: number;
    messageWritesPerReply: number;
    conversationUpdatesPerReply: number;
    /** Message updates per second of streaming (first token → end), all replies: the 500 ms checkpoint throttle shows here. */
    updatesPerStreamingSecond: number;
    tables: TableStats;
    before: TableStats;
    pglite?: ReturnType<typeof summarizePglite>;
  };
  replyDurationMs: { p50: number; p99: number };
  firstTokenMs: { p50: number; p99: number };
};

// ---- one app phase ---------------------------------------------------------------

async function runApp(fake: FakeProc, offsetMs: number, db: "pglite" | "postgres", n: number): Promise<AppMetrics> {
  const tag = `${db}_${n}`;
  log(`${tag}: starting the app`);
  const s = await startApp(fake, db, tag);
  let pgc: pg.Client | undefined;
  try {
    const mb = (kb: number) => r1(kb / 1024);
    const rssStart = procStatus(s.pid).rssKb;
    log(`${tag}: server pid ${s.pid}, RSS ${mb(rssStart)} MB; creating ${n + WARMUP} guests`);
    const guests = await pool(n + WARMUP, 16, () => newGuest(s.base));
    // Warm up: load the routes and run a few real (short) replies.
    await resetFake(fake, REPLY.scenario);
    const warm = await Promise.all(
      guests.slice(n).map((g, i) => appStream(s.base, g, `bench-${RUN_ID}-${tag}-warmup-${i} [[fake:{"text":"warm up ✓","chunk":2,"delayMs":1}]]`)),
    );
    for (const w of warm) if (w.error || w.finalStatus !== "complete" || w.text !== "warm up ✓") throw new Error(`warm-up reply failed: ${w.error ?? w.finalStatus}`);
    const before = db === "pglite" ? (await pgliteStats(s)).tables : await postgresStats(argv["pg-url"], s.pgSchema!, s.appName!, false);
    // A full GC first, so that "before" is not inflated by start-up garbage (migrations).
    await probe(s, "/gc", "POST");
    await sleep(300);
    const rssBefore = procStatus(s.pid).rssKb;
    const statsBefore = await probe<ServerStats>(s, "/reset", "POST");
    log(`${tag}: ${n} concurrent streams through the app`);
    // Our CPU outside this process: the server, and on PostgreSQL its backends.
    pgc = db === "postgres" ? await pgClient(argv["pg-url"]) : undefined;
    let backends0: Map<number, number> | undefined;
    let dbCpuMs = 0;
    const serverCpu = async () => {
      const st = await probe<ServerStats>(s, "/stats");
      let backendMs = 0;
      if (pgc) {
        const cur = await backendCpu(pgc, s.appName!);
        if (!backends0) backends0 = cur;
        else for (const [pid, ms] of cur) backendMs += ms - (backends0.get(pid) ?? 0);
        dbCpuMs = backendMs;
      }
      return st.cpuUserMs + st.cpuSystemMs + backendMs;
    };
    const { metrics: m, results } = await runPhase(fake, REPLY, offsetMs, (i) => appStream(s.base, guests[i], `bench-${RUN_ID}-${tag}-${i}`), n, serverCpu);
    if (m.failures.length) {
      // Keep the server's log for the post-mortem (the temp dir goes away).
      const kept = join(argv.out, `server-${RUN_ID}-${tag}.log`);
      mkdirSync(argv.out, { recursive: true });
      writeFileSync(kept, readFileSync(s.logFile));
      log(`${tag}: ${m.failures.length} failed replies; server log kept in ${kept}`);
    }
    await pgc?.end();
    pgc = undefined;
    const statsAfter = await probe<ServerStats>(s, "/stats");
    const { rssKb: rssAfter, hwmKb } = procStatus(s.pid);
    // What stays: after a full GC (finished replies' event logs stay on the bus for minutes).
    const afterGc = await probe<ServerStats>(s, "/gc", "POST");
    const rssAfterGc = procStatus(s.pid).rssKb;
    const cpuMs = statsAfter.cpuUserMs + statsAfter.cpuSystemMs - statsBefore.cpuUserMs - statsBefore.cpuSystemMs;
    let tables: TableStats;
    let pgliteTime: PgliteTime | undefined;
    if (db === "pglite") ({ tables, time: pgliteTime } = await pgliteStats(s));
    else {
      await stopChild(s.proc, STOP_GRACE_MS); // its connections close and flush their statistics
      tables = await postgresStats(argv["pg-url"], s.pgSchema!, s.appName!, true);
    }
    const diff = (t: string, k: "ins" | "upd") => (tables[t]?.[k] ?? 0) - (before[t]?.[k] ?? 0);
    // Per reply that was created (a POST refused before its transaction wrote nothing).
    const created = Math.max(1, results.filter((r) => r.messageId).length);
    // The server's own timings (message metadata): generation start → end, and → first token.
    const metaMs = (k: string) => dist(results.flatMap((r) => (typeof r.metadata?.[k] === "number" ? [r.metadata[k] as number] : [])));
    const duration = metaMs("durationMs");
    const firstToken = metaMs("firstTokenMs");
    const streamingSec = results.reduce((t, r) => t + (Number(r.metadata?.durationMs ?? 0) - Number(r.metadata?.firstTokenMs ?? 0)) / 1000, 0);
    return {
      ...m,
      server: {
        rssStartMb: mb(rssStart),
        rssBeforeMb: mb(rssBefore),
        rssAfterMb: mb(rssAfter),
        rssAfterGcMb: mb(rssAfterGc),
        heapAfterGcMb: r1(afterGc.heapUsed / 2 ** 20),
        rssPeakMb: mb(hwmKb),
        heapBeforeMb: r1(statsBefore.heapUsed / 2 ** 20),
        heapAfterMb: r1(statsAfter.heapUsed / 2 ** 20),
        cpuMs: Math.round(cpuMs),
        cpuPercent: Math.round((cpuMs / m.wallMs) * 100),
        eventLoopDelayMs: statsAfter.eventLoopDelayMs,
        longBlocks: statsAfter.longBlocks,
        ...(db === "postgres" ? { postgresBackendsCpuMs: Math.round(dbCpuMs) } : {}),
      },
      db: {
        source: db === "pglite" ? "pg_stat_user_tables inside the server process (bench/probe.mjs)" : "pg_stat_user_tables (after the server's connections closed)",
        replies: created,
        messageInsertsPerReply: r2(diff("Message", "ins") / created),
        messageUpdatesPerReply: r2(diff("Message", "upd") / created),
        messageWritesPerReply: r2((diff("Message", "ins") + diff("Message", "upd")) / created),
        conversationUpdatesPerReply: r2(diff("Conversation", "upd") / created),
        updatesPerStreamingSecond: r2(diff("Message", "upd") / Math.max(streamingSec, 1e-9)),
        tables,
        before,
        ...(pgliteTime ? { pglite: summarizePglite(pgliteTime, created, m.wallMs) } : {}),
      },
      replyDurationMs: { p50: duration.p50, p99: duration.p99 },
      firstTokenMs: { p50: firstToken.p50, p99: firstToken.p99 },
    };
  } catch (e) {
    log(`${tag}: server log tail:\n${readFileSync(s.logFile, "utf8").slice(-3000)}`);
    throw e;
  } finally {
    await pgc?.end().catch(() => {});
    await s.cleanup();
  }
}


// ---- report and main ------------------------------------------------------------

type Row = { db: string; n: number; direct: PhaseMetrics; app: AppMetrics };

function table(rows: Row[]): string {
  const ratio = (a: number, b: number) => (b ? `${(a / b).toFixed(2)}×` : "–");
  const plus = (a: number, b: number) => `${a - b >= 0 ? "+" : ""}${r1(a - b)}`;
  const lines = [
    "| DB | N | delta events/s: direct → app (ratio) | TTFT p50 ms: direct → app (added) | TTFT p99 ms: direct → app (added) | delivery latency p50 ms: direct → app (added) | delivery latency p99 ms: direct → app (added) | Message writes/reply (ins + upd) | server RSS MB: before → after (peak) | server CPU | other processes' load, cores: direct / app | replies exact |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const { db, n, direct: d, app: a } of rows) {
    lines.push(
      `| ${db} | ${n} | ${d.deltaEventsPerSec} → ${a.deltaEventsPerSec} (${ratio(a.deltaEventsPerSec, d.deltaEventsPerSec)}) ` +
        `| ${r1(d.ttftMs.p50)} → ${r1(a.ttftMs.p50)} (${plus(a.ttftMs.p50, d.ttftMs.p50)}) ` +
        `| ${r1(d.ttftMs.p99)} → ${r1(a.ttftMs.p99)} (${plus(a.ttftMs.p99, d.ttftMs.p99)}) ` +
        `| ${r1(d.latencyMs.p50)} → ${r1(a.latencyMs.p50)} (${plus(a.latencyMs.p50, d.latencyMs.p50)}) ` +
        `| ${r1(d.latencyMs.p99)} → ${r1(a.latencyMs.p99)} (${plus(a.latencyMs.p99, d.latencyMs.p99)}) ` +
        `| ${a.db.messageWritesPerReply} (${a.db.messageInsertsPerReply} + ${a.db.messageUpdatesPerReply}) ` +
        `| ${a.server.rssBeforeMb} → ${a.server.rssAfterMb} (${a.server.rssPeakMb}) ` +
        `| ${a.server.cpuPercent}% ` +
        `| ${d.machine.othersCores} / ${a.machine.othersCores} ` +
        `| ${d.ok}/${d.streams} direct, ${a.ok}/${a.streams} app |`,
    );
  }
  return lines.join("\n");
}

/** Where the app's time goes: the second table. */
function breakdown(rows: Row[]): string {
  const lines = [
    "| DB | N | app: POST → upstream request p50 / p99 ms | first delta's latency p50 / p99 ms: direct → app | server CPU ms per reply | server event-loop delay p99 / max ms | PGlite main-thread ms per reply (share of wall) | server RSS MB: start → before → after → after GC (peak) | heap used MB: before → after → after GC |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const { db, n, direct: d, app: a } of rows) {
    const pgl = a.db.pglite ? `${a.db.pglite.execMsPerReply} (${Math.round(a.db.pglite.execShareOfWall * 100)}%)` : "–";
    lines.push(
      `| ${db} | ${n} | ${r1(a.toUpstreamMs.p50)} / ${r1(a.toUpstreamMs.p99)} ` +
        `| ${r1(d.firstDeltaLatencyMs.p50)} / ${r1(d.firstDeltaLatencyMs.p99)} → ${r1(a.firstDeltaLatencyMs.p50)} / ${r1(a.firstDeltaLatencyMs.p99)} ` +
        `| ${r1(a.server.cpuMs / Math.max(1, a.db.replies))} ` +
        `| ${r1(a.server.eventLoopDelayMs.p99)} / ${r1(a.server.eventLoopDelayMs.max)} ` +
        `| ${pgl} ` +
        `| ${a.server.rssStartMb} → ${a.server.rssBeforeMb} → ${a.server.rssAfterMb} → ${a.server.rssAfterGcMb} (${a.server.rssPeakMb}) ` +
        `| ${a.server.heapBeforeMb} → ${a.server.heapAfterMb} → ${a.server.heapAfterGcMb} |`,
    );
  }
  return lines.join("\n");
}

async function main() {
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: r1(totalmem() / 2 ** 30), node: process.version, platform: process.platform };
  const config = { sizes: SIZES, deltasPerReply: DELTAS, codePointsPerDelta: CHUNK, delayMs: DELAY_MS, replyUtf16Length: TEXT.length, replyBytes: Buffer.byteLength(TEXT), dbs: DBS, warmupStreams: WARMUP };
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
      for (const n of SIZES) {
        log(`${db}_${n}: ${n} concurrent SDK streams reading the fake directly`);
        const direct = await runDirect(fake, REPLY, offset, n, `bench-${RUN_ID}-${db}_${n}_direct`, WARMUP);
        const app = await runApp(fake, offset, db, n);
        rows.push({ db, n, direct, app });
        log(`${db}_${n}: direct ${direct.deltaEventsPerSec} ev/s, latency p50/p99 ${direct.latencyMs.p50}/${direct.latencyMs.p99} ms; app ${app.deltaEventsPerSec} ev/s, latency p50/p99 ${app.latencyMs.p50}/${app.latencyMs.p99} ms, ${app.ok}/${n} exact; others' load ${direct.machine.othersCores}/${app.machine.othersCores} cores`);
      }
    }
    clockEnd = await clockOffset(fake);
  } finally {
    await stopFake(fake);
    killAll();
  }

  const md = `${table(rows)}\n\n${breakdown(rows)}`;
  const failures = rows.flatMap((r) => [...r.direct.failures.map((f) => `${r.db} ${r.n} direct: ${f}`), ...r.app.failures.map((f) => `${r.db} ${r.n} app: ${f}`)]);
  const result = { runId: RUN_ID, date: new Date().toISOString(), commit: gitInfo(), machine, config, clock: { start: clockStart, end: clockEnd }, rows, table: md, failures };
  mkdirSync(argv.out, { recursive: true });
  const file = join(argv.out, `streams-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2));
  console.log(`\n${md}\n`);
  console.log(`machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, node ${machine.node}; ${DELTAS} deltas × ${CHUNK} code points per reply, ${DELAY_MS} ms apart`);
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
