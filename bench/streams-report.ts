// The streaming benchmark's report (bench/streams.ts): the Markdown tables of
// the direct and app phases side by side, where the app's time goes, and the
// app against the bare relay (the issue's targets are ratios to it).
import { r1, type PhaseMetrics } from "./harness/measure";
import type { AppMetrics } from "./streams-app";

/** `n`: replies at once, or "1 (×K)" for K replies one after another. */
export type Row = { db: string; n: number | string; direct: PhaseMetrics; relay: PhaseMetrics; app: AppMetrics };

/** The main table: the direct and the app phase of each database and size side by side. */
export function table(rows: Row[]): string {
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
export function breakdown(rows: Row[]): string {
  const lines = [
    "| DB | N | characters/s: direct → app (ratio) | delta events per reply | SSE bytes ÷ text bytes: on the wire (decoded) | app: POST → upstream request p50 / p99 ms | first delta's latency p50 / p99 ms: direct → app | server CPU ms per reply (+ PGlite's process) | server event-loop delay p99 / max ms | PGlite execution ms per reply, in its process (share of wall) | server RSS MB: start → before → after → after GC (peak) (+ PGlite's process: before → after) | heap used MB: before → after → after GC |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const { db, n, direct: d, app: a } of rows) {
    const lite = a.server.pgliteProcess;
    const pgl = a.db.pglite ? `${a.db.pglite.execMsPerReply} (${Math.round(a.db.pglite.execShareOfWall * 100)}%)` : "–";
    lines.push(
      `| ${db} | ${n} | ${d.charsPerSec} → ${a.charsPerSec} (${d.charsPerSec ? (a.charsPerSec / d.charsPerSec).toFixed(2) : "–"}×) ` +
        `| ${r1(a.deltaEvents / Math.max(1, a.streams))} | ${a.wireBytesPerTextByte}× (${a.sseBytesPerTextByte}×) ` +
        `| ${r1(a.toUpstreamMs.p50)} / ${r1(a.toUpstreamMs.p99)} ` +
        `| ${r1(d.firstDeltaLatencyMs.p50)} / ${r1(d.firstDeltaLatencyMs.p99)} → ${r1(a.firstDeltaLatencyMs.p50)} / ${r1(a.firstDeltaLatencyMs.p99)} ` +
        `| ${r1(a.server.cpuMs / Math.max(1, a.db.replies))}${lite ? ` (+ ${r1(lite.cpuMs / Math.max(1, a.db.replies))})` : ""} ` +
        `| ${r1(a.server.eventLoopDelayMs.p99)} / ${r1(a.server.eventLoopDelayMs.max)} ` +
        `| ${pgl} ` +
        `| ${a.server.rssStartMb} → ${a.server.rssBeforeMb} → ${a.server.rssAfterMb} → ${a.server.rssAfterGcMb} (${a.server.rssPeakMb})${lite ? ` (+ ${lite.rssBeforeMb} → ${lite.rssAfterMb})` : ""} ` +
        `| ${a.server.heapBeforeMb} → ${a.server.heapAfterMb} → ${a.server.heapAfterGcMb} |`,
    );
  }
  return lines.join("\n");
}

/** The app against the bare relay (bench/relay-server.ts), measured in the same run. */
export function againstRelay(rows: Row[]): string {
  const ratio = (a: number, b: number) => (b ? `${(a / b).toFixed(2)}×` : "–");
  const lines = [
    "| DB | N | characters/s: relay → app (ratio) | TTFT p50 ms: direct / relay / app (app ÷ relay) | TTFT p99 ms: relay → app | delivery latency p50 / p99 ms: relay → app | SSE bytes on the wire ÷ text bytes: relay / app | replies exact |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const { db, n, direct: d, relay: r, app: a } of rows) {
    lines.push(
      `| ${db} | ${n} | ${r.charsPerSec} → ${a.charsPerSec} (${ratio(a.charsPerSec, r.charsPerSec)}) ` +
        `| ${r1(d.ttftMs.p50)} / ${r1(r.ttftMs.p50)} / ${r1(a.ttftMs.p50)} (${ratio(a.ttftMs.p50, r.ttftMs.p50)}) ` +
        `| ${r1(r.ttftMs.p99)} → ${r1(a.ttftMs.p99)} ` +
        `| ${r1(r.latencyMs.p50)} / ${r1(r.latencyMs.p99)} → ${r1(a.latencyMs.p50)} / ${r1(a.latencyMs.p99)} ` +
        `| ${r.wireBytesPerTextByte}× / ${a.wireBytesPerTextByte}× ` +
        `| ${r.ok}/${r.streams} relay, ${a.ok}/${a.streams} app |`,
    );
  }
  return lines.join("\n");
}

/** Scaled mode: the clients that followed their reply on the other instance (issue 12's reader on another instance). */
export function followers(rows: Row[]): string {
  const scaled = rows.filter((r) => r.app.followers);
  if (!scaled.length) return "";
  const lines = [
    "| DB | N | followers exact | delivery latency once attached there p50 / p99 ms | attaching there (GET → first frame) p50 / p99 ms | every client: delivery latency p50 / p99 ms |",
    "|---|---|---|---|---|---|",
  ];
  for (const { db, n, app: a } of scaled) {
    const f = a.followers!;
    // No delta came after they attached: their replies had ended (they read the whole start).
    const once = Number.isNaN(f.latencyMs.p50) ? "– (replies ended before they attached)" : `${r1(f.latencyMs.p50)} / ${r1(f.latencyMs.p99)}`;
    lines.push(`| ${db} | ${n} | ${f.ok}/${f.streams} | ${once} | ${r1(f.attachMs.p50)} / ${r1(f.attachMs.p99)} | ${r1(a.latencyMs.p50)} / ${r1(a.latencyMs.p99)} |`);
  }
  return lines.join("\n");
}
