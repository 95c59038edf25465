// Streaming benchmark: N concurrent replies through the built app against the
// fake Anthropic API, compared with the Anthropic SDK reading the same fake
// directly, in the same run. See docs/BENCHMARKS.md for what is measured and
// how to read it.
//
//   npm run bench -- [--n 100,500] [--deltas 300] [--chunk 5] [--delay 5]
//                    [--db pglite,postgres] [--pg-url postgresql://postgres@127.0.0.1:5432/test]
//                    [--no-build] [--warmup 5] [--env KEY=VALUE]… [--cpu-prof]
//                    [--timeout 600] [--out bench/results]
//
//   --n        concurrent streams per phase (each size is one phase per database)
//   --deltas   text deltas per reply; --chunk code points per delta; --delay ms between deltas
//   --db       which databases the app runs on (PostgreSQL: a throw-away schema in --pg-url)
//   --no-build reuse the build in .next-bench (else `next build` into it first)
//   --env      extra environment for the app server (e.g. DATABASE_POOL_SIZE=50)
//   --cpu-prof V8 CPU profile of each server, into --out/cpu-<run>/
//
// Processes: this one (the clients: SDK streams, or HTTP+SSE clients of the
// app), the fake upstream (bench/fake-upstream.ts, forked), and the app
// (`next start` of a build in .next-bench, one fresh server per measured phase).
// Every reply is checked byte for byte; any wrong, failed or missing reply
// makes the run fail (exit 1) after the report.
import { execFileSync, fork, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, createWriteStream } from "node:fs";
import { cpus, totalmem, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import Anthropic from "@anthropic-ai/sdk";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import pg from "pg";
import { buildSteps, readRequest, type Scenario } from "../lib/testing/fake-anthropic-script";

// ---- configuration ---------------------------------------------------------

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const DIST_DIR = ".next-bench";

const { values: argv } = parseArgs({
  options: {
    n: { type: "string", default: "100,500" },
    deltas: { type: "string", default: "300" },
    chunk: { type: "string", default: "5" },
    delay: { type: "string", default: "5" },
    db: { type: "string", default: "pglite,postgres" },
    "pg-url": { type: "string", default: process.env.BENCH_PG_URL || "postgresql://postgres@127.0.0.1:5432/test" },
    "no-build": { type: "boolean", default: false },
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
const DEADLINE = Date.now() + Number(argv.timeout) * 1000;
for (const [k, v] of Object.entries({ n: SIZES, deltas: [DELTAS], chunk: [CHUNK], delay: [DELAY_MS], warmup: [WARMUP] })) {
  if (v.some((x) => !Number.isFinite(x) || x < 0 || (k !== "delay" && k !== "warmup" && x < 1))) throw new Error(`bad --${k}`);
}
for (const d of DBS) if (d !== "pglite" && d !== "postgres") throw new Error(`bad --db ${d}`);

const RUN_ID = randomBytes(4).toString("hex");
const STOP_GRACE_MS = argv["cpu-prof"] ? 30_000 : 5000; // writing a CPU profile takes a while
const now = () => performance.timeOrigin + performance.now(); // epoch ms, sub-ms, monotonic within the process
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (...a: unknown[]) => console.error(`[bench ${((Date.now() - START) / 1000).toFixed(1)}s]`, ...a);
const START = Date.now();
const remaining = () => Math.max(1, DEADLINE - Date.now());

// ---- child processes: always cleaned up --------------------------------------

const children = new Set<ChildProcess>();
function track(c: ChildProcess): ChildProcess {
  children.add(c);
  c.once("exit", () => children.delete(c));
  return c;
}
function killAll() {
  for (const c of children) if (c.pid && c.exitCode === null) c.kill("SIGKILL");
}
process.on("exit", killAll);
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}
const hardStop = setTimeout(() => {
  console.error(`bench: over the --timeout of ${argv.timeout}s, giving up`);
  killAll();
  process.exit(2);
}, DEADLINE - Date.now());
hardStop.unref();

async function stopChild(c: ChildProcess, graceMs = 5000): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise<void>((r) => c.once("exit", () => r()));
  c.kill("SIGTERM");
  const t = setTimeout(() => c.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(t);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

// ---- the reply every stream gets ---------------------------------------------

// Exactly DELTAS × CHUNK code points, with multi-byte characters so that
// byte-exactness is tested across UTF-8 splits, and no edge whitespace.
function replyText(): string {
  const words = "the quick brown fox jumps over a lazy dog — naïve café 🦊 streaming tokens 日本語 never lose a character ✓".split(" ");
  const cps: string[] = [];
  for (let i = 0; cps.length < DELTAS * CHUNK; i++) cps.push(...Array.from((i ? " " : "") + words[(i * 7) % words.length]));
  const out = cps.slice(0, DELTAS * CHUNK);
  if (/\s/.test(out[out.length - 1])) out[out.length - 1] = ".";
  return out.join("");
}
const TEXT = replyText();
const SCENARIO: Scenario = { name: "bench", text: TEXT, chunk: CHUNK, delayMs: DELAY_MS };
// What the fake sends, delta by delta: the reference for exactness and for
// matching arrivals to send times (by UTF-16 offset, so any re-chunking works).
const EXPECTED_DELTAS: string[] = buildSteps(SCENARIO, readRequest({ messages: [{ role: "user", content: "x" }] }), "msg_x")
  .filter((s) => s.event === "content_block_delta")
  .map((s) => (s.data as { delta: { text: string } }).delta.text);
if (EXPECTED_DELTAS.join("") !== TEXT || EXPECTED_DELTAS.length !== DELTAS) throw new Error("scenario does not produce the expected deltas");
const DELTA_ENDS: number[] = [];
{
  let n = 0;
  for (const d of EXPECTED_DELTAS) DELTA_ENDS.push((n += d.length));
}

// ---- the fake upstream --------------------------------------------------------

type FakeProc = { url: string; pid: number; proc: ChildProcess; call<T>(m: Record<string, unknown>): Promise<T> };

async function startFake(): Promise<FakeProc> {
  const proc = track(fork(join(ROOT, "bench", "fake-upstream.ts"), [], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit", "ipc"] }));
  let seq = 0;
  const waiting = new Map<number, (m: unknown) => void>();
  let ready!: (m: { url: string; pid: number }) => void;
  const readyP = new Promise<{ url: string; pid: number }>((r) => (ready = r));
  proc.on("message", (m: { type: string; id?: number; url?: string; pid?: number }) => {
    if (m.type === "ready") ready(m as { url: string; pid: number });
    else if (m.id !== undefined) waiting.get(m.id)?.(m), waiting.delete(m.id);
  });
  const { url, pid } = await Promise.race([
    readyP,
    sleep(30_000).then(() => Promise.reject(new Error("fake upstream did not start"))),
  ]);
  return {
    url,
    pid,
    proc,
    call: <T,>(m: Record<string, unknown>) =>
      new Promise<T>((resolve) => {
        const id = ++seq;
        waiting.set(id, resolve as (m: unknown) => void);
        proc.send({ ...m, id });
      }),
  };
}

/** fakeClock − ourClock, from the IPC round trip with the smallest delay. */
async function clockOffset(fake: FakeProc): Promise<{ offsetMs: number; uncertaintyMs: number }> {
  let best = { offsetMs: 0, uncertaintyMs: Infinity };
  for (let i = 0; i < 40; i++) {
    const t1 = now();
    const m = await fake.call<{ now: number }>({ type: "clock" });
    const t2 = now();
    if ((t2 - t1) / 2 < best.uncertaintyMs) best = { offsetMs: m.now - (t1 + t2) / 2, uncertaintyMs: (t2 - t1) / 2 };
  }
  return best;
}

async function fakeHttp(fake: FakeProc, method: string, path: string, body?: unknown) {
  const res = await fetch(fake.url + path, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`fake ${path}: ${res.status}`);
  return res.status === 200 ? res.json() : undefined;
}
async function resetFake(fake: FakeProc) {
  await fakeHttp(fake, "POST", "/_fake/reset");
  await fakeHttp(fake, "POST", "/_fake/default", SCENARIO);
}
type FakeRecord = { rawBody: string; body: unknown; outcome: string; aborted: boolean; timings?: { receivedAt: number; deltaSentAt: number[] } };

// ---- one stream's measurements -----------------------------------------------

type StreamResult = {
  key: string;
  t0: number; // request sent (our clock)
  tFirst?: number; // first text delta arrived
  tEnd?: number;
  arrivals: number[]; // flat pairs: time, text length so far
  deltaEvents: number;
  reads: number; // network reads (chunks) that carried the stream
  text: string;
  finalStatus?: string;
  finalContent?: string;
  messageId?: string;
  metadata?: Record<string, unknown>;
  error?: string;
};

function newResult(key: string): StreamResult {
  return { key, t0: now(), arrivals: [], deltaEvents: 0, reads: 0, text: "" };
}

/** The SDK reading the fake directly (the baseline). */
async function directStream(client: Anthropic, key: string): Promise<StreamResult> {
  const r = newResult(key);
  try {
    const stream = client.messages.stream(
      { model: "claude-bench", max_tokens: 4096, messages: [{ role: "user", content: key }] },
      { signal: AbortSignal.timeout(remaining()) },
    );
    for await (const ev of stream) {
      const t = now();
      if (ev.type === "content_block_delta" && ev.delta.type === "text_delta") {
        r.deltaEvents++;
        r.text += ev.delta.text;
        r.tFirst ??= t;
        r.arrivals.push(t, r.text.length);
      }
    }
    const final = await stream.finalMessage();
    r.tEnd = now();
    r.finalStatus = final.stop_reason === "end_turn" ? "complete" : String(final.stop_reason);
    r.finalContent = final.content.map((b) => (b.type === "text" ? b.text : "")).join("");
  } catch (e) {
    r.error = String(e);
  }
  return r;
}

type Guest = { cookie: string; conversationId: string };

/** One client of the app: POST a message and read its SSE stream to the end. */
async function appStream(base: string, g: Guest, key: string): Promise<StreamResult> {
  const r = newResult(key);
  try {
    const res = await fetch(`${base}/api/conversations/${g.conversationId}/messages`, {
      method: "POST",
      headers: { cookie: g.cookie, "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ content: key, stream: true }),
      signal: AbortSignal.timeout(remaining()),
    });
    if (res.status !== 200 || !res.headers.get("content-type")?.startsWith("text/event-stream")) {
      throw new Error(`POST message: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
    }
    let t = now();
    let textParts = new Set<number>();
    const parser = createParser({
      onEvent(m: EventSourceMessage) {
        const data = JSON.parse(m.data);
        switch (m.event) {
          case "snapshot": // rebuild from the last snapshot (SPEC §4)
            r.text = data.message.content;
            r.messageId = data.message.id;
            textParts = new Set((data.message.parts as { type: string }[]).flatMap((p, i) => (p.type === "text" ? [i] : [])));
            break;
          case "part_start":
            if (data.part.type === "text") textParts.add(data.index);
            break;
          case "delta":
            r.deltaEvents++;
            if ("text" in data && textParts.has(data.index)) {
              r.text += data.text;
              r.tFirst ??= t;
              r.arrivals.push(t, r.text.length);
            }
            break;
          case "error":
            r.error = `error event: ${m.data}`;
            break;
          case "done":
            r.tEnd = t;
            r.finalStatus = data.message.status;
            r.finalContent = data.message.content;
            r.metadata = data.message.metadata;
            break;
        }
      },
    });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      t = now();
      r.reads++;
      parser.feed(value);
    }
    if (!r.finalStatus) throw new Error("stream ended without a done event");
  } catch (e) {
    r.error ??= String(e);
  }
  return r;
}

// ---- statistics ----------------------------------------------------------------

const pct = (sorted: ArrayLike<number>, p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] : NaN;
const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;
function dist(values: number[]) {
  const s = Float64Array.from(values).sort();
  return { p50: r2(pct(s, 50)), p99: r2(pct(s, 99)), max: r2(s.length ? s[s.length - 1] : NaN), n: s.length };
}

type PhaseMetrics = {
  streams: number;
  ok: number;
  failures: string[];
  wallMs: number;
  deltaEvents: number;
  deltaEventsPerSec: number;
  charsPerSec: number;
  ttftMs: ReturnType<typeof dist>;
  /** request sent → request arrived at the fake (app: admission, DB, generation start) */
  toUpstreamMs: ReturnType<typeof dist>;
  latencyMs: ReturnType<typeof dist>;
  readsPerStream: number;
  /** latency of each reply's first delta only (upstream wrote it → client read it) */
  firstDeltaLatencyMs: ReturnType<typeof dist>;
  clientEventLoopDelayMs: { p99: number; max: number };
  clientCpuMs: number;
  fakeCpuMs: number;
  /** The whole machine during the phase, in cores (of `cpus`): busy, of which not ours, and idle. */
  machine: { busyCores: number; othersCores: number; idleCores: number; stealCores: number; loadAvg1: number };
};

/** Checks every reply and computes the metrics of one phase. */
function analyse(
  results: StreamResult[],
  fakeRecords: FakeRecord[],
  offsetMs: number,
  wallMs: number,
): Omit<PhaseMetrics, "clientEventLoopDelayMs" | "fakeCpuMs" | "clientCpuMs" | "machine"> {
  const byKey = new Map<string, FakeRecord[]>();
  for (const rec of fakeRecords) {
    const key = readRequest(rec.body).lastUserText.trim();
    byKey.set(key, [...(byKey.get(key) ?? []), rec]);
  }
  const failures: string[] = [];
  const ttft: number[] = [];
  const toUpstream: number[] = [];
  const latency: number[] = [];
  const firstLatency: number[] = [];
  let deltaEvents = 0;
  let reads = 0;
  for (const r of results) {
    deltaEvents += r.deltaEvents;
    reads += r.reads;
    const recs = byKey.get(r.key) ?? [];
    const rec = recs[0];
    const fail = (why: string) => failures.push(`${r.key}: ${why}`);
    if (r.error) { fail(r.error); continue; }
    if (recs.length > 1) { fail(`${recs.length} upstream requests (retried)`); continue; }
    if (!rec?.timings) { fail("no upstream request recorded"); continue; }
    if (rec.timings.deltaSentAt.length !== DELTAS) { fail(`upstream sent ${rec.timings.deltaSentAt.length}/${DELTAS} deltas (${rec.outcome}${rec.aborted ? ", aborted" : ""})`); continue; }
    if (r.text !== TEXT) { fail(`rebuilt text differs from what the upstream sent (${r.text.length} vs ${TEXT.length} UTF-16 units, first difference at ${firstDiff(r.text, TEXT)})`); continue; }
    if (r.finalStatus !== "complete") { fail(`final status ${r.finalStatus}`); continue; }
    if (r.finalContent !== TEXT) { fail("final message content differs from what the upstream sent"); continue; }
    ttft.push(r.tFirst! - r.t0);
    toUpstream.push(rec.timings.receivedAt - offsetMs - r.t0);
    // Each upstream delta: from the moment the fake wrote it to the first
    // client read that contained its last character.
    let j = 0;
    for (let i = 0; i < DELTAS; i++) {
      while (j < r.arrivals.length && r.arrivals[j + 1] < DELTA_ENDS[i]) j += 2;
      latency.push(r.arrivals[j] - (rec.timings.deltaSentAt[i] - offsetMs));
      if (i === 0) firstLatency.push(latency[latency.length - 1]);
    }
  }
  const chars = results.reduce((n, r) => n + (r.error ? 0 : r.text.length), 0);
  return {
    streams: results.length,
    ok: results.length - failures.length,
    failures,
    wallMs: r1(wallMs),
    deltaEvents,
    deltaEventsPerSec: Math.round((deltaEvents / wallMs) * 1000),
    charsPerSec: Math.round((chars / wallMs) * 1000),
    ttftMs: dist(ttft),
    toUpstreamMs: dist(toUpstream),
    latencyMs: dist(latency),
    firstDeltaLatencyMs: dist(firstLatency),
    readsPerStream: r1(reads / Math.max(1, results.length)),
  };
}

function firstDiff(a: string, b: string): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i;
}

// ---- one measured phase --------------------------------------------------------

const clientEld = monitorEventLoopDelay({ resolution: 5 });
clientEld.enable();

/** /proc/stat totals in ms (USER_HZ = 100). */
function procStat() {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f;
  return { busy: (user + nice + system + irq + softirq) * 10, idle: (idle + iowait) * 10, steal: steal * 10 };
}

/** Measures what the whole machine did during a phase, to tell our CPU use from everyone else's. */
function machineMeter() {
  const s0 = procStat();
  const c0 = process.cpuUsage();
  return (wallMs: number, otherOursMs: number) => {
    const s1 = procStat();
    const c = process.cpuUsage(c0);
    const clientCpuMs = (c.user + c.system) / 1000;
    const cores = (ms: number) => r2(ms / wallMs);
    return {
      clientCpuMs: Math.round(clientCpuMs),
      machine: {
        busyCores: cores(s1.busy - s0.busy),
        othersCores: cores(Math.max(0, s1.busy - s0.busy - clientCpuMs - otherOursMs)),
        idleCores: cores(s1.idle - s0.idle),
        stealCores: cores(s1.steal - s0.steal),
        loadAvg1: Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]),
      },
    };
  };
}

/**
 * One measured phase: n streams started at once. `serverCpuMs` (app phases)
 * reads the server's CPU time, so that the machine's load from other
 * processes can be told apart.
 */
async function runPhase(
  fake: FakeProc,
  offsetMs: number,
  start: (i: number) => Promise<StreamResult>,
  n: number,
  serverCpuMs: () => Promise<number> = async () => 0,
): Promise<{ metrics: PhaseMetrics; results: StreamResult[] }> {
  await resetFake(fake);
  await fake.call({ type: "stats" }); // resets its counters
  const server0 = await serverCpuMs();
  clientEld.reset();
  const meter = machineMeter();
  const t0 = now();
  const results = await Promise.all(Array.from({ length: n }, (_, i) => start(i)));
  const tEnd = now();
  const wallMs = Math.max(...results.map((r) => r.tEnd ?? tEnd)) - t0;
  const eld = { p99: r2(clientEld.percentile(99) / 1e6), max: r2(clientEld.max / 1e6) };
  const fakeCpuMs = Math.round((await fake.call<{ cpuMs: number }>({ type: "stats" })).cpuMs);
  const serverMs = (await serverCpuMs()) - server0;
  const load = meter(tEnd - t0, fakeCpuMs + serverMs);
  const records = (await fakeHttp(fake, "GET", "/_fake/requests")) as FakeRecord[];
  return { metrics: { ...analyse(results, records, offsetMs, wallMs), clientEventLoopDelayMs: eld, fakeCpuMs, ...load }, results };
}

async function runDirect(fake: FakeProc, offsetMs: number, n: number, tag: string): Promise<PhaseMetrics> {
  const client = new Anthropic({ apiKey: "x", baseURL: fake.url, maxRetries: 0 });
  // Warm the client (undici, the SDK) outside the measurement.
  await Promise.all(Array.from({ length: Math.min(WARMUP, n) }, (_, i) => directStream(client, `bench-${RUN_ID}-${tag}-warmup-${i}`)));
  return (await runPhase(fake, offsetMs, (i) => directStream(client, `bench-${RUN_ID}-${tag}-${i}`), n)).metrics;
}

// ---- the app server --------------------------------------------------------------

type Server = { base: string; proc: ChildProcess; pid: number; probe: string; logFile: string; cleanup: () => Promise<void>; pgSchema?: string; appName?: string };

function procStatus(pid: number): { rssKb: number; hwmKb: number } {
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

async function startServer(fake: FakeProc, db: "pglite" | "postgres", tag: string): Promise<Server> {
  const [port, probePort] = [await freePort(), await freePort()];
  const tmp = mkdtempSync(join(tmpdir(), `tether-bench-${RUN_ID}-`));
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (/^(DATABASE_URL|REDIS_URL|INNGEST_|ANTHROPIC_|NEXT_DIST_DIR|NODE_OPTIONS|PORT$|MAX_ACTIVE)/.test(k)) delete env[k];
  Object.assign(env, {
    NODE_ENV: "production",
    NEXT_DIST_DIR: DIST_DIR,
    NEXT_TELEMETRY_DISABLED: "1",
    DATA_DIR: join(tmp, "data"),
    SESSION_SECRET: randomBytes(32).toString("hex"),
    LLM_PROVIDER: "anthropic",
    ANTHROPIC_API_KEY: "x",
    ANTHROPIC_BASE_URL: fake.url,
    NODE_OPTIONS: `--import=${join(ROOT, "bench", "probe.mjs")}`,
    BENCH_PROBE_PORT: String(probePort),
  });
  // --env KEY=VALUE: extra server settings (e.g. DATABASE_POOL_SIZE=50).
  for (const kv of argv.env) {
    const i = kv.indexOf("=");
    if (i < 1) throw new Error(`--env wants KEY=VALUE, got ${kv}`);
    env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  let pgSchema: string | undefined;
  let appName: string | undefined;
  if (db === "postgres") {
    pgSchema = `bench_${RUN_ID}_${tag}`.replace(/[^a-z0-9_]/g, "_");
    appName = `tether_${pgSchema}`;
    const u = new URL(argv["pg-url"]);
    u.searchParams.set("schema", pgSchema);
    u.searchParams.set("application_name", appName);
    env.DATABASE_URL = u.toString();
  }
  const logFile = join(tmp, "server.log");
  const out = createWriteStream(logFile);
  const proc = track(
    spawn(process.execPath, ["--expose-gc", ...profArgs(tag), join(ROOT, "node_modules/next/dist/bin/next"), "start", "-p", String(port), "-H", "127.0.0.1"], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  proc.stdout!.pipe(out);
  proc.stderr!.pipe(out);
  const base = `http://127.0.0.1:${port}`;
  const cleanup = async () => {
    await stopChild(proc, STOP_GRACE_MS);
    out.end();
    if (pgSchema) {
      const c = await pgClient();
      try {
        await c.query(`DROP SCHEMA IF EXISTS "${pgSchema}" CASCADE`);
      } finally {
        await c.end();
      }
    }
    rmSync(tmp, { recursive: true, force: true });
  };
  // The first start migrates a fresh database: allow a minute.
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
      await cleanup();
      throw new Error(`server did not become healthy:\n${readFileSync(logFile, "utf8").slice(-2000)}`);
    }
    await sleep(250);
  }
  return { base, proc, pid: serverPid(proc.pid!), probe: `http://127.0.0.1:${probePort}`, logFile, cleanup, pgSchema, appName };
}

/** --cpu-prof: a V8 CPU profile of each server, written when it stops (open it in Chrome DevTools). */
function profArgs(tag: string): string[] {
  if (!argv["cpu-prof"]) return [];
  const dir = join(argv.out, `cpu-${RUN_ID}`);
  mkdirSync(dir, { recursive: true });
  return ["--cpu-prof", `--cpu-prof-dir=${dir}`, `--cpu-prof-name=server-${tag}.cpuprofile`];
}

/** CPU time (ms) of the app's PostgreSQL backends, by pid (same machine: /proc). */
async function backendCpu(c: pg.Client, appName: string): Promise<Map<number, number>> {
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

async function pgClient(): Promise<pg.Client> {
  const u = new URL(argv["pg-url"]);
  u.searchParams.delete("schema");
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  return c;
}

type TableStats = Record<string, { ins: number; upd: number; hot: number; del: number }>;

async function probe<T>(s: Server, path: string, method = "GET"): Promise<T> {
  const res = await fetch(s.probe + path, { method, signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`probe ${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<T>;
}

type PgliteTime = { statements: { statement: string; calls: number; ms: number; maxMs: number }[]; transactions: { count: number; heldMs: number; maxHeldMs: number } };

async function pgliteStats(s: Server): Promise<{ tables: TableStats; time: PgliteTime }> {
  const { tables, time } = await probe<{ tables: { relname: string; ins: number; upd: number; hot: number; del: number }[]; time: PgliteTime }>(s, "/pglite");
  return { tables: Object.fromEntries(tables.map(({ relname, ...t }) => [relname, t])), time };
}

/**
 * PostgreSQL table statistics of the benchmark's schema. Backends flush their
 * counters at most once a second and, when idle, 10 s later; so read only when
 * the app's connections are gone (`afterExit`) or have been idle > 10 s, then
 * until two reads agree.
 */
async function postgresStats(s: Server, afterExit: boolean): Promise<TableStats> {
  const c = await pgClient();
  try {
    const until = Date.now() + 30_000;
    if (afterExit) {
      while (Date.now() < until) {
        const { rows } = await c.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1", [s.appName]);
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
        [s.pgSchema],
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

async function pool<T>(n: number, limit: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, n) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

async function newGuest(base: string): Promise<Guest> {
  const res = await fetch(`${base}/api/auth/guest`, { method: "POST" });
  if (res.status !== 201) throw new Error(`guest: HTTP ${res.status}`);
  const cookie = res.headers.get("set-cookie")!.split(";")[0];
  const conv = await fetch(`${base}/api/conversations`, { method: "POST", headers: { cookie, "content-type": "application/json" }, body: "{}" });
  if (conv.status !== 201) throw new Error(`conversation: HTTP ${conv.status}`);
  return { cookie, conversationId: ((await conv.json()) as { id: string }).id };
}

type ServerStats = {
  rss: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  heapUsed: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number; mean: number };
  longBlocks: { endMonoUs: number; blockedMs: number }[];
};

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

async function runApp(fake: FakeProc, offsetMs: number, db: "pglite" | "postgres", n: number): Promise<AppMetrics> {
  const tag = `${db}_${n}`;
  log(`${tag}: starting the app`);
  const s = await startServer(fake, db, tag);
  let pgc: pg.Client | undefined;
  try {
    const mb = (kb: number) => r1(kb / 1024);
    const rssStart = procStatus(s.pid).rssKb;
    log(`${tag}: server pid ${s.pid}, RSS ${mb(rssStart)} MB; creating ${n + WARMUP} guests`);
    const guests = await pool(n + WARMUP, 16, () => newGuest(s.base));
    // Warm up: load the routes and run a few real (short) replies.
    await resetFake(fake);
    const warm = await Promise.all(
      guests.slice(n).map((g, i) => appStream(s.base, g, `bench-${RUN_ID}-${tag}-warmup-${i} [[fake:{"text":"warm up ✓","chunk":2,"delayMs":1}]]`)),
    );
    for (const w of warm) if (w.error || w.finalStatus !== "complete" || w.text !== "warm up ✓") throw new Error(`warm-up reply failed: ${w.error ?? w.finalStatus}`);
    const before = db === "pglite" ? (await pgliteStats(s)).tables : await postgresStats(s, false);
    // A full GC first, so that "before" is not inflated by start-up garbage (migrations).
    await probe(s, "/gc", "POST");
    await sleep(300);
    const rssBefore = procStatus(s.pid).rssKb;
    const statsBefore = await probe<ServerStats>(s, "/reset", "POST");
    log(`${tag}: ${n} concurrent streams through the app`);
    // Our CPU outside this process: the server, and on PostgreSQL its backends.
    pgc = db === "postgres" ? await pgClient() : undefined;
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
    const { metrics: m, results } = await runPhase(fake, offsetMs, (i) => appStream(s.base, guests[i], `bench-${RUN_ID}-${tag}-${i}`), n, serverCpu);
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
      tables = await postgresStats(s, true);
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

// ---- main ------------------------------------------------------------------------------

function gitInfo() {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT }).toString().trim();
    const dirty = execFileSync("git", ["status", "--porcelain"], { cwd: ROOT }).toString().trim() !== "";
    return `${commit}${dirty ? " (with uncommitted changes)" : ""}`;
  } catch {
    return "unknown";
  }
}

async function build() {
  log(`building into ${DIST_DIR} (skip with --no-build)`);
  const proc = track(
    spawn(process.execPath, [join(ROOT, "node_modules/next/dist/bin/next"), "build"], {
      cwd: ROOT,
      env: { ...process.env, NEXT_DIST_DIR: DIST_DIR, NEXT_TELEMETRY_DISABLED: "1" },
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
  if (!argv["no-build"]) await build();
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
        const direct = await runDirect(fake, offset, n, `${db}_${n}_direct`);
        const app = await runApp(fake, offset, db, n);
        rows.push({ db, n, direct, app });
        log(`${db}_${n}: direct ${direct.deltaEventsPerSec} ev/s, latency p50/p99 ${direct.latencyMs.p50}/${direct.latencyMs.p99} ms; app ${app.deltaEventsPerSec} ev/s, latency p50/p99 ${app.latencyMs.p50}/${app.latencyMs.p99} ms, ${app.ok}/${n} exact; others' load ${direct.machine.othersCores}/${app.machine.othersCores} cores`);
      }
    }
    clockEnd = await clockOffset(fake);
  } finally {
    fake.proc.send({ type: "stop" });
    await Promise.race([new Promise((r) => fake.proc.once("exit", r)), sleep(5000)]);
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
