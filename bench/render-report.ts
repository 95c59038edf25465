// The render benchmark's report (bench/render.ts): CPU per 1,000 tokens over
// windows of the stream, long tasks, and the tables it prints.
import type { Run, Sample } from "./render-measure";

/** CPU ms per 1,000 tokens while the shown text went from `from` to `to` (fractions of the reply). */
function window_(run: Run, from: number, to: number) {
  const at = (f: number) => {
    const target = run.chars * f;
    // The sample nearest to that point of the stream (interpolated between two).
    const i = run.samples.findIndex((s) => s.chars >= target);
    const b = run.samples[Math.max(0, i)];
    const a = run.samples[Math.max(0, i - 1)];
    if (!b || b.chars === a.chars) return b ?? run.samples.at(-1)!;
    const k = (target - a.chars) / (b.chars - a.chars);
    const mix = (x: keyof Sample) => a[x] + (b[x] - a[x]) * k;
    return { t: mix("t"), chars: target, script: mix("script"), task: mix("task"), layout: mix("layout"), style: mix("style") } as Sample;
  };
  const a = at(from);
  const b = at(to);
  const kTokens = (b.chars - a.chars) / 4 / 1000;
  const lt = run.longTasks.filter((l) => l.chars >= a.chars && l.chars <= b.chars);
  return {
    scriptMsPer1kTokens: (b.script - a.script) / kTokens,
    taskMsPer1kTokens: (b.task - a.task) / kTokens,
    layoutStyleMsPer1kTokens: (b.layout - a.layout + b.style - a.style) / kTokens,
    mainThreadBusyPct: (100 * (b.task - a.task)) / Math.max(1, b.t - a.t),
    longTasksWall: lt.filter((l) => l.wall > 50).length,
    longTasksCpu: lt.filter((l) => l.cpu > 50).length,
    maxWallMs: lt.reduce((max, l) => Math.max(max, l.wall), 0),
    maxCpuMs: lt.reduce((max, l) => Math.max(max, l.cpu), 0),
  };
}

/** One row per run: the windows, the long tasks, and the stream by tenths. */
export function summarize(runs: Run[]) {
  return runs.map((run) => ({
    run: run.name,
    tokens: run.tokens,
    streamSeconds: +(run.streamMs / 1000).toFixed(1),
    tokensPerSecond: Math.round(run.tokens / (run.streamMs / 1000)),
    maxCpuTaskMs: Math.round(run.maxCpuTaskMs),
    maxFrameGapMs: Math.round(run.maxFrameGapMs),
    first10pct: window_(run, 0.0, 0.1),
    last10pct: window_(run, 0.9, 1.0),
    whole: window_(run, 0, 1),
    scriptByTenth: Array.from({ length: 10 }, (_, k) => Math.round(window_(run, k / 10, (k + 1) / 10).scriptMsPer1kTokens)),
    mainThreadByTenth: Array.from({ length: 10 }, (_, k) => Math.round(window_(run, k / 10, (k + 1) / 10).taskMsPer1kTokens)),
    finish: run.finishTasks.map((task) => ({ wall: Math.round(task.wall), cpu: Math.round(task.cpu) })),
  }));
}

export type RenderReport = ReturnType<typeof summarize>;

/** The machine and the run's settings, as saved with the report. */
export type RenderEnv = {
  cpus: number;
  cpuModel: string | undefined;
  loadAverage: { before: number; after: number };
  cpuThrottle: number;
  chunk: number;
  delayMs: number;
  codeBlocks: number;
  tables: number;
  chars: number;
};

/**
 * Prints the report's tables and where the raw samples are; returns false,
 * after a FAIL line, when a main-thread task used more than 50 ms of CPU.
 */
export function printReport(report: RenderReport, env: RenderEnv, tokens: number, file: string): boolean {
  const f = (x: number) => x.toFixed(1);
  const i = (x: number) => String(Math.round(x));
  console.log(
    `\n${env.chars} characters (~${tokens} tokens), ${env.codeBlocks} code blocks, ${env.tables} tables; ${env.chunk} chars/delta, ${env.delayMs} ms/delta; CPU throttle ${env.cpuThrottle}x`,
  );
  console.log(`${env.cpus} cores (${env.cpuModel}); load average ${env.loadAverage.before.toFixed(1)} before, ${env.loadAverage.after.toFixed(1)} after`);
  console.log("");
  console.log("                      main thread, per 1,000 tokens          tasks > 50 ms");
  console.log("run       window      busy%   all ms  script  layout+style    wall  CPU   max wall  max CPU");
  for (const r of report)
    for (const [w, v] of [
      ["first 10%", r.first10pct],
      ["last 10%", r.last10pct],
      ["whole", r.whole],
    ] as const)
      console.log(
        `${r.run.padEnd(9)} ${w.padEnd(10)} ${f(v.mainThreadBusyPct).padStart(6)} ${i(v.taskMsPer1kTokens).padStart(8)} ${i(v.scriptMsPer1kTokens).padStart(7)} ${i(v.layoutStyleMsPer1kTokens).padStart(13)}  ${String(v.longTasksWall).padStart(6)} ${String(v.longTasksCpu).padStart(4)} ${i(v.maxWallMs).padStart(10)} ${i(v.maxCpuMs).padStart(8)}`,
      );
  console.log("");
  for (const r of report) {
    console.log(`${r.run.padEnd(9)} script ms per 1,000 tokens, by tenth of the stream:      ${r.scriptByTenth.map((x) => String(x).padStart(4)).join(" ")}`);
    console.log(`${r.run.padEnd(9)} main-thread ms per 1,000 tokens, by tenth of the stream: ${r.mainThreadByTenth.map((x) => String(x).padStart(4)).join(" ")}`);
  }
  console.log("");
  for (const r of report)
    console.log(
      `${r.run}: ${r.streamSeconds} s at ~${r.tokensPerSecond} tokens/s; longest main-thread task ${r.maxCpuTaskMs} ms of CPU; longest frame gap ${r.maxFrameGapMs} ms; after the end: ${r.finish.length ? r.finish.map((t) => `${t.wall} ms (${t.cpu} ms CPU)`).join(", ") : "no task over 50 ms"}`,
    );
  console.log(`\nraw samples: ${file}`);
  const worst = Math.max(...report.map((r) => r.maxCpuTaskMs));
  if (worst > 50) {
    console.log(`FAIL: a main-thread task used ${worst} ms of CPU (target: none over 50 ms)`);
    return false;
  }
  return true;
}
