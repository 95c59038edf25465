// One app phase of the streaming benchmark (bench/streams.ts): N concurrent
// streams through a fresh server of the built app (or two, in scaled mode),
// and what the servers and their database did for them (PGlite's statistics
// come from inside its process, through bench/probe.mjs).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type pg from "pg";
import { appStream, crossStream, followsElsewhere, newGuest } from "./harness/clients";
import { resetFake, type FakeProc } from "./harness/fake";
import { analyse, dist, r1, r2, runPhase, type Analysis, type PhaseMetrics } from "./harness/measure";
import { log, pool, sleep, stopChild } from "./harness/proc";
import type { BenchReply } from "./harness/reply";
import { backendCpu, pgClient, postgresStats, probe, procStatus, type Server, type ServerStats, type TableStats } from "./harness/server";

/** Where the app runs: one server on PGlite or on PostgreSQL, or two on PostgreSQL sharing a Redis (scaled mode). */
export type AppDb = "pglite" | "postgres" | "scaled";

/** Scaled mode: the share of each pair of clients that follows its reply on the other instance. */
const FOLLOW_SHARE = 0.5;

/** What a phase takes from the run: its settings, and how to start the servers. */
export type AppRun = {
  runId: string;
  reply: BenchReply;
  /** Extra short replies before the measured ones. */
  warmup: number;
  pgUrl: string;
  /** Where a failed phase keeps its server's log. */
  out: string;
  stopGraceMs: number;
  /** One server, or two of one deployment in scaled mode (the first migrates and owns the schema). */
  startApp(fake: FakeProc, db: AppDb, tag: string): Promise<Server[]>;
  /** Redis's own CPU so far (scaled mode), counted with the servers'. */
  redisCpuMs?(): Promise<number>;
};

// ---- PGlite statistics (in the embedded database's process, through its probe) ----

type PgliteTime = { statements: { statement: string; calls: number; ms: number; maxMs: number }[]; transactions: { count: number; heldMs: number; maxHeldMs: number } };

async function pgliteStats(s: Server): Promise<{ tables: TableStats; time: PgliteTime }> {
  const { tables, time } = await probe<{ tables: { relname: string; ins: number; upd: number; hot: number; del: number }[]; time: PgliteTime }>(
    s,
    "/pglite",
    "GET",
    true,
  );
  return { tables: Object.fromEntries(tables.map(({ relname, ...t }) => [relname, t])), time };
}

/** Where PGlite kept its process's thread busy during the phase. */
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

export type AppMetrics = PhaseMetrics & {
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
    /** The embedded database's own process. */
    pgliteProcess?: { rssBeforeMb: number; rssAfterMb: number; cpuMs: number };
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
  /** Scaled mode: the clients that followed their reply on the other instance. */
  followers?: Analysis;
};

// ---- one app phase ---------------------------------------------------------------

/**
 * One app phase: a fresh server, warmed up, then n concurrent streams through
 * it, every reply checked; with the server's memory, CPU and event loop, and
 * the database's writes per reply.
 */
export async function runApp(run: AppRun, fake: FakeProc, offsetMs: number, db: AppDb, n: number, serial = false): Promise<AppMetrics> {
  const tag = `${db}_${serial ? "1x" : ""}${n}`;
  log(`${tag}: starting the app`);
  const servers = await run.startApp(fake, db, tag);
  // Memory and the database's own figures are the first server's; CPU is all of theirs.
  const s = servers[0];
  const home = (i: number) => servers[i % servers.length];
  const follows = (i: number) => servers.length > 1 && followsElsewhere(i, FOLLOW_SHARE);
  let pgc: pg.Client | undefined;
  try {
    const mb = (kb: number) => r1(kb / 1024);
    const rssStart = procStatus(s.pid).rssKb;
    log(`${tag}: server pid ${s.pid}, RSS ${mb(rssStart)} MB; creating ${n + run.warmup} guests`);
    const guests = await pool(n + run.warmup, 16, (i) => newGuest(home(i).base));
    // Warm up: load the routes and run a few real (short) replies.
    await resetFake(fake, run.reply.scenario);
    const warm = await Promise.all(
      guests.slice(n).map((g, i) => appStream(home(n + i).base, g, `bench-${run.runId}-${tag}-warmup-${i} [[fake:{"text":"warm up ✓","chunk":2,"delayMs":1}]]`)),
    );
    for (const w of warm) if (w.error || w.finalStatus !== "complete" || w.text !== "warm up ✓") throw new Error(`warm-up reply failed: ${w.error ?? w.finalStatus}`);
    const before = db === "pglite" ? (await pgliteStats(s)).tables : await postgresStats(run.pgUrl, s.pgSchema!, s.appName!, false);
    // A full GC first, so that "before" is not inflated by start-up garbage (migrations).
    for (const x of servers) await probe(x, "/gc", "POST");
    await sleep(300);
    const rssBefore = procStatus(s.pid).rssKb;
    const statsBefore = await Promise.all(servers.map((x) => probe<ServerStats>(x, "/reset", "POST")));
    const dbBefore = s.dbProbe ? await probe<ServerStats>(s, "/reset", "POST", true) : undefined;
    log(`${tag}: ${n} ${serial ? "streams one after another" : "concurrent streams"} through the app`);
    // Our CPU outside this process: the server, and its database (PostgreSQL's backends, or PGlite's process).
    pgc = db !== "pglite" ? await pgClient(run.pgUrl) : undefined;
    let backends0: Map<number, number> | undefined;
    let dbCpuMs = 0;
    let redis0: number | undefined;
    const serverCpu = async () => {
      let ms = 0;
      for (const x of servers) {
        const st = await probe<ServerStats>(x, "/stats");
        ms += st.cpuUserMs + st.cpuSystemMs;
      }
      let backendMs = 0;
      if (servers.length > 1 && run.redisCpuMs) {
        // Scaled mode: Redis's CPU since the first call, with the database's.
        const r = await run.redisCpuMs();
        redis0 ??= r;
        backendMs = r - redis0;
      }
      if (pgc) {
        const cur = await backendCpu(pgc, s.appName!);
        if (!backends0) backends0 = cur;
        else for (const [pid, ms] of cur) backendMs += ms - (backends0.get(pid) ?? 0);
        dbCpuMs = backendMs;
      }
      if (dbBefore) {
        const d = await probe<ServerStats>(s, "/stats", "GET", true);
        backendMs = d.cpuUserMs + d.cpuSystemMs - dbBefore.cpuUserMs - dbBefore.cpuSystemMs;
        dbCpuMs = backendMs;
      }
      return ms + backendMs;
    };
    const key = (i: number) => `bench-${run.runId}-${tag}-${i}`;
    const {
      metrics: m,
      results,
      records,
    } = await runPhase(
      fake,
      run.reply,
      offsetMs,
      (i) => (follows(i) ? crossStream(home(i).base, home(i + 1).base, guests[i], key(i)) : appStream(home(i).base, guests[i], key(i))),
      n,
      serverCpu,
      serial,
    );
    if (m.failures.length) {
      // Keep the server's log for the post-mortem (the temp dir goes away).
      const kept = join(run.out, `server-${run.runId}-${tag}.log`);
      mkdirSync(run.out, { recursive: true });
      writeFileSync(kept, servers.map((x) => readFileSync(x.logFile, "utf8")).join("\n"));
      log(`${tag}: ${m.failures.length} failed replies; server log kept in ${kept}`);
    }
    await pgc?.end();
    pgc = undefined;
    const afters = await Promise.all(servers.map((x) => probe<ServerStats>(x, "/stats")));
    // The busiest event loop of them.
    const statsAfter = afters.reduce((a, b) => (b.eventLoopDelayMs.p99 > a.eventLoopDelayMs.p99 ? b : a));
    const { rssKb: rssAfter, hwmKb } = procStatus(s.pid);
    // What stays: after a full GC (finished replies' event logs stay on the bus for minutes).
    const afterGc = await probe<ServerStats>(s, "/gc", "POST");
    const rssAfterGc = procStatus(s.pid).rssKb;
    const cpuMs = afters.reduce((t, a, k) => t + a.cpuUserMs + a.cpuSystemMs - statsBefore[k].cpuUserMs - statsBefore[k].cpuSystemMs, 0);
    const dbAfter = s.dbProbe ? await probe<ServerStats>(s, "/stats", "GET", true) : undefined;
    let tables: TableStats;
    let pgliteTime: PgliteTime | undefined;
    if (db === "pglite") ({ tables, time: pgliteTime } = await pgliteStats(s));
    else {
      for (const x of servers) await stopChild(x.proc, run.stopGraceMs); // their connections close and flush their statistics
      tables = await postgresStats(run.pgUrl, s.pgSchema!, s.appName!, true);
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
        heapBeforeMb: r1(statsBefore[0].heapUsed / 2 ** 20),
        heapAfterMb: r1(afters[0].heapUsed / 2 ** 20),
        cpuMs: Math.round(cpuMs),
        cpuPercent: Math.round((cpuMs / m.wallMs) * 100),
        eventLoopDelayMs: statsAfter.eventLoopDelayMs,
        longBlocks: statsAfter.longBlocks,
        ...(db !== "pglite" ? { postgresBackendsCpuMs: Math.round(dbCpuMs) } : {}),
        ...(dbBefore && dbAfter
          ? {
              pgliteProcess: {
                rssBeforeMb: r1(dbBefore.rss / 2 ** 20),
                rssAfterMb: r1(dbAfter.rss / 2 ** 20),
                cpuMs: Math.round(dbAfter.cpuUserMs + dbAfter.cpuSystemMs - dbBefore.cpuUserMs - dbBefore.cpuSystemMs),
              },
            }
          : {}),
      },
      db: {
        source:
          db === "pglite"
            ? "pg_stat_user_tables inside the embedded database's process (bench/probe.mjs)"
            : "pg_stat_user_tables (after the server's connections closed)",
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
      ...(servers.length > 1
        ? {
            followers: analyse(
              run.reply,
              results.filter((_, i) => follows(i)),
              records,
              offsetMs,
              m.wallMs,
            ),
          }
        : {}),
    };
  } catch (e) {
    for (const x of servers) log(`${tag}: server log tail:\n${readFileSync(x.logFile, "utf8").slice(-3000)}`);
    throw e;
  } finally {
    await pgc?.end().catch(() => {});
    for (const x of [...servers].reverse()) await x.cleanup(); // the first one drops the schema
  }
}
