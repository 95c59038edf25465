// One measured phase: N streams started at once, every reply checked byte for
// byte against what the fake sent, and the metrics computed from the client's
// arrival times and the fake's send times (see docs/BENCHMARKS.md).
import { readFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import Anthropic from "@anthropic-ai/sdk";
import { readRequest } from "../../lib/testing/fake-anthropic-script";
import { directStream, type StreamResult } from "./clients";
import { fakeHttp, resetFake, type FakeProc, type FakeRecord } from "./fake";
import { now } from "./proc";
import type { BenchReply } from "./reply";

export const pct = (sorted: ArrayLike<number>, p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] : NaN;
export const r1 = (x: number) => Math.round(x * 10) / 10;
export const r2 = (x: number) => Math.round(x * 100) / 100;
export function dist(values: number[]) {
  const s = Float64Array.from(values).sort();
  return { p50: r2(pct(s, 50)), p99: r2(pct(s, 99)), max: r2(s.length ? s[s.length - 1] : NaN), n: s.length };
}
export type Dist = ReturnType<typeof dist>;

export type PhaseMetrics = {
  streams: number;
  ok: number;
  failures: string[];
  wallMs: number;
  deltaEvents: number;
  deltaEventsPerSec: number;
  charsPerSec: number;
  ttftMs: Dist;
  /** request sent → request arrived at the fake (app: admission, DB, generation start) */
  toUpstreamMs: Dist;
  /** request sent → the stream's first frame (app: admission and stream set-up; the SDK: none, so = TTFT) */
  toStartMs: Dist;
  latencyMs: Dist;
  readsPerStream: number;
  /** SSE bytes on the wire (gzip, where the server sent it) ÷ the UTF-8 bytes of the text they carried (0 for the SDK). */
  wireBytesPerTextByte: number;
  /** The same, with the SSE body as decoded (what it would be without gzip). */
  sseBytesPerTextByte: number;
  /** Followers: the GET on the other instance sent → its first frame read (0 samples for others) */
  attachMs: Dist;
  /** latency of each reply's first delta only (upstream wrote it → client read it; a follower: its first live delta) */
  firstDeltaLatencyMs: Dist;
  /** time between consecutive network reads that carried text, first to last delta of each stream */
  gapMs: Dist;
  /** each stream's longest such gap */
  maxGapMs: Dist;
  clientEventLoopDelayMs: { p99: number; max: number };
  clientCpuMs: number;
  fakeCpuMs: number;
  /** The whole machine during the phase, in cores (of `cpus`): busy, of which not ours, and idle. */
  machine: { busyCores: number; othersCores: number; idleCores: number; stealCores: number; loadAvg1: number };
};

export type Analysis = Omit<PhaseMetrics, "clientEventLoopDelayMs" | "fakeCpuMs" | "clientCpuMs" | "machine">;

/** Checks every reply and computes the metrics of one phase (or of a subset of its streams). */
export function analyse(reply: BenchReply, results: StreamResult[], fakeRecords: FakeRecord[], offsetMs: number, wallMs: number): Analysis {
  const byKey = new Map<string, FakeRecord[]>();
  for (const rec of fakeRecords) {
    const key = readRequest(rec.body).lastUserText.trim();
    byKey.set(key, [...(byKey.get(key) ?? []), rec]);
  }
  const { text: TEXT, deltas: DELTAS, deltaEnds } = reply;
  const failures: string[] = [];
  const [ttft, toUpstream, toStart, latency, firstLatency, gaps, maxGaps, attach]: number[][] = [[], [], [], [], [], [], [], []];
  let deltaEvents = 0;
  let reads = 0;
  for (const r of results) {
    deltaEvents += r.deltaEvents;
    reads += r.reads;
    const recs = byKey.get(r.key) ?? [];
    const rec = recs[0];
    const fail = (why: string) => failures.push(`${r.key}: ${why}`);
    if (r.error) {
      fail(r.error);
      continue;
    }
    if (recs.length > 1) {
      fail(`${recs.length} upstream requests (retried)`);
      continue;
    }
    if (!rec?.timings) {
      fail("no upstream request recorded");
      continue;
    }
    if (rec.timings.deltaSentAt.length !== DELTAS) {
      fail(`upstream sent ${rec.timings.deltaSentAt.length}/${DELTAS} deltas (${rec.outcome}${rec.aborted ? ", aborted" : ""})`);
      continue;
    }
    if (r.text !== TEXT) {
      fail(
        `rebuilt text differs from what the upstream sent (${r.text.length} vs ${TEXT.length} UTF-16 units, first difference at ${firstDiff(r.text, TEXT)}; frames read: ${r.trace.join(", ")})`,
      );
      continue;
    }
    if (r.finalStatus !== "complete") {
      fail(`final status ${r.finalStatus}`);
      continue;
    }
    if (r.finalContent !== TEXT) {
      fail("final message content differs from what the upstream sent");
      continue;
    }
    if (r.idErrors) {
      fail(`${r.idErrors} event ids did not follow the previous one`);
      continue;
    }
    ttft.push(r.tFirst! - r.t0);
    toUpstream.push(rec.timings.receivedAt - offsetMs - r.t0);
    toStart.push((r.tStart ?? r.tFirst!) - r.t0);
    if (r.followAt !== undefined && r.attachedAt !== undefined) attach.push(r.attachedAt - r.followAt);
    // Each upstream delta: from the moment the fake wrote it to the first
    // client read that contained its last character. A follower's deltas sent
    // before it was attached on the other instance (its GET's first frame
    // read) were replayed or held while the GET waited its turn: not counted;
    // the wait itself is attachMs.
    let j = 0;
    let first = true;
    for (let i = 0; i < DELTAS; i++) {
      while (j < r.arrivals.length && r.arrivals[j + 1] < deltaEnds[i]) j += 2;
      const sent = rec.timings.deltaSentAt[i] - offsetMs;
      if (r.followAt !== undefined && sent < (r.attachedAt ?? Infinity)) continue;
      latency.push(r.arrivals[j] - sent);
      if (first) firstLatency.push(latency[latency.length - 1]); // a follower's first live one
      first = false;
    }
    let maxGap = 0;
    for (let k = 2; k < r.arrivals.length; k += 2) {
      const gap = r.arrivals[k] - r.arrivals[k - 2];
      if (gap === 0) continue; // same network read
      gaps.push(gap);
      maxGap = Math.max(maxGap, gap);
    }
    maxGaps.push(maxGap);
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
    toStartMs: dist(toStart),
    latencyMs: dist(latency),
    firstDeltaLatencyMs: dist(firstLatency),
    attachMs: dist(attach),
    gapMs: dist(gaps),
    maxGapMs: dist(maxGaps),
    readsPerStream: r1(reads / Math.max(1, results.length)),
    wireBytesPerTextByte: perTextByte(results, (r) => r.wireBytes),
    sseBytesPerTextByte: perTextByte(results, (r) => r.sseBytes),
  };
}

function perTextByte(results: StreamResult[], bytes: (r: StreamResult) => number): number {
  const text = results.reduce((n, r) => n + Buffer.byteLength(r.text), 0);
  return Math.round((results.reduce((n, r) => n + bytes(r), 0) / Math.max(1, text)) * 100) / 100;
}

function firstDiff(a: string, b: string): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i;
}

const clientEld = monitorEventLoopDelay({ resolution: 5 });
clientEld.enable();

/** /proc/stat totals in ms (USER_HZ = 100). */
function procStat() {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f;
  return { busy: (user + nice + system + irq + softirq) * 10, idle: (idle + iowait) * 10, steal: steal * 10 };
}

export const loadAvg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number);

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
        loadAvg1: loadAvg()[0],
      },
    };
  };
}

/**
 * One measured phase: n streams started at once. `serverCpuMs` (app phases)
 * reads our CPU time outside this process and the fake (servers, their
 * database backends, Redis), so that the machine's load from other processes
 * can be told apart.
 */
export async function runPhase(
  fake: FakeProc,
  reply: BenchReply,
  offsetMs: number,
  start: (i: number) => Promise<StreamResult>,
  n: number,
  serverCpuMs: () => Promise<number> = async () => 0,
  /** One stream after another instead of all at once (the one-at-a-time phase: many samples of a lone reply). */
  serial = false,
): Promise<{ metrics: PhaseMetrics; results: StreamResult[]; records: FakeRecord[] }> {
  await resetFake(fake, reply.scenario);
  await fake.call({ type: "stats" }); // resets its counters
  const server0 = await serverCpuMs();
  clientEld.reset();
  const meter = machineMeter();
  const t0 = now();
  const results: StreamResult[] = [];
  if (serial) for (let i = 0; i < n; i++) results.push(await start(i));
  else results.push(...(await Promise.all(Array.from({ length: n }, (_, i) => start(i)))));
  const tEnd = now();
  const wallMs = Math.max(...results.map((r) => r.tEnd ?? tEnd)) - t0;
  const eld = { p99: r2(clientEld.percentile(99) / 1e6), max: r2(clientEld.max / 1e6) };
  const fakeCpuMs = Math.round((await fake.call<{ cpuMs: number }>({ type: "stats" })).cpuMs);
  const serverMs = (await serverCpuMs()) - server0;
  const load = meter(tEnd - t0, fakeCpuMs + serverMs);
  const records = (await fakeHttp(fake, "GET", "/_fake/requests")) as FakeRecord[];
  return { metrics: { ...analyse(reply, results, records, offsetMs, wallMs), clientEventLoopDelayMs: eld, fakeCpuMs, ...load }, results, records };
}

/** The baseline: n SDK streams reading the fake directly, after a short warm-up. */
export async function runDirect(
  fake: FakeProc,
  reply: BenchReply,
  offsetMs: number,
  n: number,
  keyPrefix: string,
  warmup: number,
  serial = false,
): Promise<PhaseMetrics> {
  const client = new Anthropic({ apiKey: "x", baseURL: fake.url, maxRetries: 0 });
  // Warm the client (undici, the SDK) outside the measurement.
  await Promise.all(Array.from({ length: Math.min(warmup, n) }, (_, i) => directStream(client, `${keyPrefix}-warmup-${i}`)));
  return (await runPhase(fake, reply, offsetMs, (i) => directStream(client, `${keyPrefix}-${i}`), n, undefined, serial)).metrics;
}
