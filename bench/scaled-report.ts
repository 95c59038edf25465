// The tables bench/scaled.ts prints (and docs/BENCHMARKS.md shows).
import type { Analysis, PhaseMetrics } from "./harness/measure";
import { r1 } from "./harness/measure";
import type { RedisDelta } from "./harness/redis";

export type ModeMetrics = PhaseMetrics & {
  mode: "single" | "redis1" | "scaled";
  instances: number;
  loadAvg: { before: number[]; after: number[] };
  /** CPU time of the app instances during the phase (their PostgreSQL backends and Redis not included). */
  serverCpuMs: number;
  serverEventLoopDelayMs: { p50: number; p99: number; max: number; mean: number }[];
  /** Errors in the instances' logs during the whole phase, by message. */
  serverErrors: Record<string, number>;
  /** Clients that posted and read on one instance, and those that followed on the other. */
  local?: Analysis;
  followers?: Analysis;
  /** What Redis did during the phase (INFO), and what the app's stream bus counted itself (GET /api/metrics). */
  redis?: RedisDelta & { private: boolean; busCommands: number; busPublishes: number };
};

export type Row = { n: number; direct: PhaseMetrics; modes: ModeMetrics[] };

const plus = (a: number, b: number) => `${a - b >= 0 ? "+" : ""}${r1(a - b)}`;
const pair = (d: { p50: number; p99: number }) => `${r1(d.p50)} / ${r1(d.p99)}`;
const added = (a: { p50: number; p99: number }, d: { p50: number; p99: number }) => `${pair(a)} (${plus(a.p50, d.p50)} / ${plus(a.p99, d.p99)})`;
const SETUP = { single: "1 instance, in-process bus", redis1: "1 instance, Redis bus", scaled: "2 instances, Redis bus" };

export function table(rows: Row[], deltasPerReply: number): string {
  const main = [
    "| N | setup | replies exact | delta events/s (× direct) | TTFT p50 / p99 ms (added) | request → upstream request / → first frame p50 ms | delivery latency p50 / p99 ms (added) | gap between text reads p50 / p99 ms | longest gap per reply p50 / p99 ms | app CPU ms per reply | other processes' load, cores | load average (1 min) | errors logged by the app |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  const redis = [
    "| N | Redis commands per 1,000 deltas: all (stream bus) | commands per reply, by command | Redis CPU ms per 1,000 deltas | Redis traffic per reply, KB in / out |",
    "|---|---|---|---|---|",
  ];
  const split = [
    "| N | clients | replies | TTFT p50 / p99 ms | first delta's latency p50 / p99 ms | delivery latency p50 / p99 ms | attaching on the other instance (GET → first frame) p50 / p99 ms | network reads per reply |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const { n, direct: d, modes } of rows) {
    main.push(
      `| ${n} | SDK → fake directly | ${d.ok}/${d.streams} | ${d.deltaEventsPerSec} | ${pair(d.ttftMs)} | ${r1(d.toUpstreamMs.p50)} / – | ${pair(d.latencyMs)} | ${pair(d.gapMs)} | ${pair(d.maxGapMs)} | – | ${d.machine.othersCores} | ${d.machine.loadAvg1} | – |`,
    );
    for (const m of modes) {
      main.push(
        `| ${n} | ${SETUP[m.mode]} | ${m.ok}/${m.streams} | ${m.deltaEventsPerSec} (${(m.deltaEventsPerSec / d.deltaEventsPerSec).toFixed(2)}×) ` +
          `| ${added(m.ttftMs, d.ttftMs)} | ${r1(m.toUpstreamMs.p50)} / ${r1(m.toStartMs.p50)} | ${added(m.latencyMs, d.latencyMs)} | ${pair(m.gapMs)} | ${pair(m.maxGapMs)} ` +
          `| ${r1(m.serverCpuMs / n)} | ${m.machine.othersCores} | ${m.loadAvg.before[0]} → ${m.loadAvg.after[0]} ` +
          `| ${
            Object.entries(m.serverErrors)
              .map(([msg, c]) => `${c} × ${msg}`)
              .join("; ") || "none"
          } |`,
      );
      if (m.redis) {
        const k = (n * deltasPerReply) / 1000;
        const by = Object.entries(m.redis.calls)
          .sort((a, b) => b[1] - a[1])
          .map(([c, v]) => `${c} ${r1(v / n)}`)
          .join(", ");
        redis.push(
          `| ${n} | ${r1(m.redis.total / k)} (${r1(m.redis.busCommands / k)})${m.redis.private ? "" : " shared Redis: includes other clients"} ` +
            `| ${r1(m.redis.total / n)}: ${by} | ${r1(m.redis.cpuMs / k)} | ${r1(m.redis.netInBytes / n / 1024)} / ${r1(m.redis.netOutBytes / n / 1024)} |`,
        );
      }
      for (const [who, a] of [
        ["post and read on one instance", m.local],
        ["post on one, follow on the other (deltas sent once attached there)", m.followers],
      ] as const) {
        if (!a || m.mode !== "scaled") continue;
        split.push(
          `| ${n} | ${who} | ${a.ok}/${a.streams} | ${pair(a.ttftMs)} | ${pair(a.firstDeltaLatencyMs)} | ${pair(a.latencyMs)} | ${a.attachMs.n ? pair(a.attachMs) : "–"} | ${a.readsPerStream} |`,
        );
      }
    }
  }
  const parts = [main.join("\n")];
  if (redis.length > 2) parts.push(redis.join("\n"));
  if (split.length > 2) parts.push(split.join("\n"));
  return parts.join("\n\n");
}
