// Benchmark probe, preloaded into the app server only by bench/streams.ts
// (NODE_OPTIONS=--import=…/bench/probe.mjs, BENCH_PROBE_PORT=…). It changes
// nothing in the app: it watches the server process from the inside and
// answers on its own 127.0.0.1 port:
//   GET  /stats       pid, memory, CPU time, event-loop delay since the last reset
//   POST /reset       restarts the event-loop delay histogram (and PGlite timings)
//   POST /gc          full garbage collection (server started with --expose-gc)
//   GET  /pglite      pg_stat_user_tables of the embedded PGlite database, and
//                     where PGlite spent the server's main thread since the last reset
// The embedded database runs in a process of its own
// (lib/platform/db/embedded-server.mjs), which inherits this preload: there
// the probe answers on BENCH_DB_PROBE_PORT, /stats for that process and
// /pglite for its database. It keeps a reference to the instance the process
// opens (PGlite.create) and queries it through PGlite's own query queue. It also
// times PGlite's synchronous (WebAssembly) execution of each protocol message,
// attributed to the SQL statement it belongs to, and how long each
// transaction holds PGlite's lock (nothing else can run meanwhile).
import { createServer } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";

const inDbProcess = /embedded-server\.mjs$/.test(process.argv[1] ?? "");
const port = Number(inDbProcess ? process.env.BENCH_DB_PROBE_PORT : process.env.BENCH_PROBE_PORT);
const g = globalThis;

if (port) {
  const eld = monitorEventLoopDelay({ resolution: 5 });
  eld.enable();
  // Long blocks of the event loop, with when they ended (CLOCK_MONOTONIC µs,
  // the clock of V8 CPU profiles), to find them in a --cpu-prof profile.
  var longBlocks = [];
  let tick = performance.now();
  setInterval(() => {
    const t = performance.now();
    const blocked = t - tick - 20;
    if (blocked > 200) longBlocks.push({ endMonoUs: Number(process.hrtime.bigint() / 1000n), blockedMs: Math.round(blocked) });
    if (longBlocks.length > 50) longBlocks.shift();
    tick = t;
  }, 20).unref();

  if (!process.env.DATABASE_URL) {
    // Same realpath as the app's external import, so the same module instance.
    const { PGlite } = await import("@electric-sql/pglite");
    const create = PGlite.create;
    PGlite.create = async function (...args) {
      const db = await create.apply(this, args);
      g.__benchPglite = db;
      instrument(db);
      return db;
    };
  }

  // ---- PGlite time accounting ----
  var sql = new Map(); // statement (first words) → { calls, ms, maxMs }
  var tx = { count: 0, heldMs: 0, maxHeldMs: 0 };
  var statsQuery = false;
  function instrument(db) {
    const dec = new TextDecoder();
    const key = (text) =>
      text
        .replace(/\s+/g, " ")
        .replace(/"public"\./g, "")
        .slice(0, 48);
    let current = "(other)";
    const exec = db.execProtocolRawSync.bind(db);
    db.execProtocolRawSync = (msg) => {
      if (msg[0] === 0x50) {
        // Parse: 'P', int32 length, statement name\0, query\0
        let i = 5;
        while (i < msg.length && msg[i] !== 0) i++;
        const start = i + 1;
        let end = start;
        while (end < msg.length && msg[end] !== 0 && end < start + 300) end++;
        current = key(dec.decode(msg.subarray(start, end)));
      } else if (msg[0] === 0x51) {
        current = key(dec.decode(msg.subarray(5, Math.min(msg.length - 1, 305))));
      }
      const t0 = performance.now();
      try {
        return exec(msg);
      } finally {
        if (!statsQuery) {
          const ms = performance.now() - t0;
          const e = sql.get(current) ?? { calls: 0, ms: 0, maxMs: 0 };
          if (msg[0] === 0x50 || msg[0] === 0x51) e.calls++;
          e.ms += ms;
          e.maxMs = Math.max(e.maxMs, ms);
          sql.set(current, e);
        }
      }
    };
    const transaction = db.transaction.bind(db);
    db.transaction = (fn) =>
      transaction(async (t) => {
        const t0 = performance.now();
        try {
          return await fn(t);
        } finally {
          const held = performance.now() - t0;
          tx.count++;
          tx.heldMs += held;
          tx.maxHeldMs = Math.max(tx.maxHeldMs, held);
        }
      });
  }
  const pgliteTime = () => ({
    statements: [...sql].map(([statement, e]) => ({ statement, calls: e.calls, ms: Math.round(e.ms), maxMs: Math.round(e.maxMs * 10) / 10 })).sort((a, b) => b.ms - a.ms),
    transactions: { count: tx.count, heldMs: Math.round(tx.heldMs), maxHeldMs: Math.round(tx.maxHeldMs) },
  });

  const ms = (ns) => Math.round((ns / 1e6) * 100) / 100;
  const stats = () => {
    const m = process.memoryUsage();
    const cpu = process.cpuUsage();
    return {
      pid: process.pid,
      rss: m.rss,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
      cpuUserMs: cpu.user / 1000,
      cpuSystemMs: cpu.system / 1000,
      eventLoopDelayMs: { p50: ms(eld.percentile(50)), p99: ms(eld.percentile(99)), max: ms(eld.max), mean: ms(eld.mean) },
      longBlocks,
    };
  };

  const server = createServer(async (req, res) => {
    const send = (status, body) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    try {
      if (req.method === "GET" && req.url === "/stats") return send(200, stats());
      if (req.method === "POST" && req.url === "/gc") {
        // Needs node --expose-gc (the benchmark starts the server with it).
        if (typeof g.gc !== "function") return send(501, { error: "start node with --expose-gc" });
        g.gc();
        await new Promise((r) => setTimeout(r, 200));
        g.gc();
        return send(200, stats());
      }
      if (req.method === "POST" && req.url === "/reset") {
        eld.reset();
        longBlocks = [];
        if (sql) sql.clear();
        if (tx) tx = { count: 0, heldMs: 0, maxHeldMs: 0 };
        return send(200, stats());
      }
      if (req.method === "GET" && req.url === "/pglite") {
        const db = g.__benchPglite;
        if (!db) return send(404, { error: "no PGlite instance opened in this process" });
        // Statistics are flushed from backend-local counters at most once a
        // second unless forced; the flush happens when the next statement ends.
        const time = pgliteTime();
        statsQuery = true; // not counted
        try {
          await db.query("SELECT pg_stat_force_next_flush()");
          await db.query("SELECT 1");
          const { rows } = await db.query(
            `SELECT relname, n_tup_ins::int AS ins, n_tup_upd::int AS upd, n_tup_hot_upd::int AS hot, n_tup_del::int AS del
             FROM pg_stat_user_tables ORDER BY relname`,
          );
          return send(200, { tables: rows, time });
        } finally {
          statsQuery = false;
        }
      }
      send(404, { error: "unknown probe endpoint" });
    } catch (e) {
      send(500, { error: String(e) });
    }
  });
  server.on("error", (e) => console.error(`[bench probe] ${e.message}`));
  server.listen(port, "127.0.0.1");
  server.unref();
}
