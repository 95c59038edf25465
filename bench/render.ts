// Rendering benchmark: what a long streaming reply costs the browser's main
// thread. Streams a ~20,000-token markdown reply with many code blocks (and
// tables, lists, links) through the real app (fake Anthropic upstream → the
// generation pipeline → SSE → the real React components in Chromium) and
// records main-thread long tasks and CPU time per token, with two baselines
// from the same run: the first vs the last 10% of the same stream (does the
// cost grow with the length already on screen?), and a reply of the same
// length in plain prose (what markdown and highlighting add). See
// docs/RENDERING.md for how to read it.
//
//   npm run bench:render -- [--tokens 20000] [--chunk 4] [--delay 1] [--cpu-throttle 1]
//                           [--no-build] [--dist .next-render] [--out bench/results]
//
//   --tokens        reply length in tokens (1 token ≈ 4 characters, as the fake counts them)
//   --chunk         characters per delta event; --delay ms before each delta (≈ 1 token per ms)
//   --cpu-throttle  Chromium CPU slow-down factor (4 ≈ a mid-range phone)
//   --no-build      reuse the build in --dist (else `next build` into it first)
//   --profile       also record a V8 CPU profile of the page during the markdown run
//                   (into --out; open it in Chrome DevTools) and print its hottest functions
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer } from "node:net";
import { parseArgs } from "node:util";
import { chromium, type CDPSession, type Page } from "@playwright/test";
import { startFakeAnthropic, type FakeAnthropic } from "../lib/testing/fake-anthropic";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const { values: argv } = parseArgs({
  options: {
    tokens: { type: "string", default: "20000" },
    chunk: { type: "string", default: "4" },
    delay: { type: "string", default: "1" },
    "cpu-throttle": { type: "string", default: "1" },
    "no-build": { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    dist: { type: "string", default: ".next-render" },
    out: { type: "string", default: join(ROOT, "bench", "results") },
  },
});
const TOKENS = Number(argv.tokens);
const CHARS = TOKENS * 4;
const CHUNK = Number(argv.chunk);
const DELAY = Number(argv.delay);
const THROTTLE = Number(argv["cpu-throttle"]);

// ---- the replies -------------------------------------------------------------

// Deterministic pseudo-random (the same reply every run).
function rng(seed: number) {
  return () => ((seed = (Math.imul(seed ^ (seed >>> 15), 2246822507) + 0x6d2b79f5) >>> 0) / 2 ** 32);
}

const WORDS = "stream token render block parse frame cursor reply buffer layout paint commit fiber memo highlight grammar table column index value state event socket resume".split(" ");

function sentence(r: () => number, words = 8 + Math.floor(r() * 10), markup = true): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    let w = WORDS[Math.floor(r() * WORDS.length)];
    const roll = r();
    if (markup && roll < 0.05) w = `**${w}**`;
    else if (markup && roll < 0.09) w = `\`${w}()\``;
    else if (markup && roll < 0.11) w = `[${w}](https://example.com/${w})`;
    else if (markup && roll < 0.13) w = `_${w}_`;
    out.push(w);
  }
  const s = out.join(" ");
  return s[0].toUpperCase() + s.slice(1) + ".";
}

const CODE: Record<string, (r: () => number, n: number) => string> = {
  ts: (r, n) =>
    [`export function step${n}(state: State, event: StreamEvent): State {`]
      .concat(Array.from({ length: 8 + Math.floor(r() * 10) }, (_, i) => `  const v${i} = state.values[${i}] ?? ${Math.floor(r() * 100)}; // ${WORDS[i % WORDS.length]}`))
      .concat(["  return { ...state, seq: event.id, values: [v0, v1] };", "}"])
      .join("\n"),
  python: (r, n) =>
    [`def handle_${n}(events, limit=${Math.floor(r() * 50)}):`, `    """Fold events into a message."""`, "    out = []"]
      .concat(Array.from({ length: 6 + Math.floor(r() * 8) }, (_, i) => `    if events[${i}]["type"] == "delta":\n        out.append(events[${i}]["text"])`))
      .concat(["    return \"\".join(out)"])
      .join("\n"),
  bash: (r, n) => Array.from({ length: 4 + Math.floor(r() * 6) }, (_, i) => `curl -sN http://127.0.0.1:3000/api/messages/${n}/stream?after=${i * 10} | grep -c "event: delta"`).join("\n"),
  json: (r, n) => JSON.stringify({ id: n, event: "delta", data: { index: 0, text: WORDS.slice(0, 3 + Math.floor(r() * 5)) }, retry: [1, 2, 4] }, null, 2),
};
const LANGS = Object.keys(CODE);

/** ~`chars` characters of markdown: sections with prose, lists, tables and many code blocks. */
function markdownReply(chars: number): { text: string; codeBlocks: number; tables: number } {
  const r = rng(42);
  let text = "";
  let codeBlocks = 0;
  let tables = 0;
  for (let n = 1; text.length < chars; n++) {
    text += `## Part ${n}: ${sentence(r, 3, false).slice(0, -1)}\n\n${sentence(r)} ${sentence(r)} ${sentence(r)}\n\n`;
    const lang = LANGS[n % LANGS.length];
    text += `\`\`\`${lang}\n${CODE[lang](r, n)}\n\`\`\`\n\n`;
    codeBlocks++;
    if (n % 3 === 0) {
      text += `| step | cost | note |\n|------|-----:|------|\n`;
      for (let i = 0; i < 4; i++) text += `| ${WORDS[(n + i) % WORDS.length]} | ${Math.floor(r() * 1000)} | ${sentence(r, 4)} |\n`;
      text += "\n";
      tables++;
    } else {
      text += Array.from({ length: 3 }, () => `- ${sentence(r, 6)}`).join("\n") + "\n\n";
    }
    text += `${sentence(r)} ${sentence(r)}\n\n`;
  }
  return { text: text.trimEnd(), codeBlocks, tables };
}

/** Plain prose of the same length: paragraphs only, no markup. */
function proseReply(chars: number): string {
  const r = rng(7);
  let text = "";
  while (text.length < chars) text += `${Array.from({ length: 5 }, () => sentence(r, undefined, false)).join(" ")}\n\n`;
  return text.slice(0, chars).trimEnd();
}

// ---- the app ------------------------------------------------------------------

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}

async function startApp(fake: FakeAnthropic): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_DIST_DIR: argv.dist,
      DATA_DIR: mkdtempSync(join(tmpdir(), "tether-render-")),
      LLM_PROVIDER: "anthropic",
      ANTHROPIC_API_KEY: "bench",
      ANTHROPIC_BASE_URL: fake.url,
      CONVERSATION_TITLES: "off",
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let log = "";
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 60_000; ; ) {
    if (child.exitCode !== null) throw new Error(`app exited:\n${log}`);
    if (await fetch(`${url}/api/health`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) throw new Error(`app did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      process.kill(-child.pid!, "SIGTERM");
      await exited;
    },
  };
}

// ---- measuring ------------------------------------------------------------------

type Sample = { t: number; chars: number; script: number; task: number; layout: number; style: number };

// Installed before any page script: the longest gap between two frames.
// (A string: tsx would wrap inner functions in a helper the page lacks.)
const PROBE = `
  window.__bench = { maxFrameGap: 0, frames: 0, on: false };
  let last = 0;
  (function frame(t) {
    if (window.__bench.on && last) {
      window.__bench.maxFrameGap = Math.max(window.__bench.maxFrameGap, t - last);
      window.__bench.frames++;
    }
    last = t || 0;
    requestAnimationFrame(frame);
  })();
`;

/** Characters of the last reply on screen (the text its markdown is rendered from), and its status. */
const shownState = () => {
  const last = [...document.querySelectorAll('[data-testid="message"][data-role="assistant"]')].at(-1);
  let chars = 0;
  last?.querySelectorAll('[data-testid="message-content"]').forEach((el) => (chars += el.getAttribute("data-text")?.length ?? 0));
  return { chars, status: last?.getAttribute("data-status") ?? "" };
};

async function metrics(cdp: CDPSession): Promise<Omit<Sample, "t" | "chars">> {
  const { metrics: m } = await cdp.send("Performance.getMetrics");
  const get = (name: string) => (m.find((x) => x.name === name)?.value ?? 0) * 1000;
  return { script: get("ScriptDuration"), task: get("TaskDuration"), layout: get("LayoutDuration"), style: get("RecalcStyleDuration") };
}

/** A main-thread task from Chromium's trace: wall time and the CPU time it really used (ms). */
type Task = { t: number; wall: number; cpu: number; chars: number };

type TraceEvent = { ph: string; name: string; pid: number; tid: number; ts: number; dur?: number; tdur?: number; args?: { name?: string } };

/**
 * The page's main-thread tasks, from a trace of the "toplevel" category. A
 * long task's wall time also counts the time the OS gave the CPU to other
 * processes (the app server, the upstream fake and the browser share this
 * machine); its CPU time is what the page's own work cost.
 */
function mainThreadTasks(events: TraceEvent[], startMark: string): { tasks: Omit<Task, "chars">[] } {
  const mark = events.find((e) => e.name === startMark);
  const mains = events.filter((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain").map((e) => `${e.pid}/${e.tid}`);
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of events) {
    if (e.ph !== "X" || e.name !== "ThreadControllerImpl::RunTask") continue;
    const key = `${e.pid}/${e.tid}`;
    if (!mains.includes(key)) continue;
    const list = byThread.get(key);
    if (list) list.push(e);
    else byThread.set(key, [e]);
  }
  // The page's renderer: the busiest main thread.
  const cpu = (list: TraceEvent[]) => list.reduce((n, e) => n + (e.tdur ?? 0), 0);
  const busiest = [...byThread.values()].sort((a, b) => cpu(b) - cpu(a))[0] ?? [];
  const origin = mark?.ts ?? busiest[0]?.ts ?? 0;
  return { tasks: busiest.filter((e) => e.ts >= origin).map((e) => ({ t: (e.ts - origin) / 1000, wall: (e.dur ?? 0) / 1000, cpu: (e.tdur ?? 0) / 1000 })) };
}

type Run = {
  name: string;
  chars: number;
  tokens: number;
  streamMs: number;
  samples: Sample[];
  /** Main-thread tasks over 50 ms of wall or CPU time, while streaming. */
  longTasks: Task[];
  /** The same after the stream ended (the hand-over to the saved copy). */
  finishTasks: Task[];
  maxCpuTaskMs: number;
  maxFrameGapMs: number;
  frames: number;
  profile?: unknown;
};

async function measure(page: Page, cdp: CDPSession, app: string, fake: FakeAnthropic, name: string, text: string, profile = false): Promise<Run> {
  fake.enqueue({ text, chunk: CHUNK, delayMs: DELAY });
  await page.goto(`${app}/?new=1`);
  await page.getByTestId("composer-input").fill(`Benchmark: ${name}`);
  await page.waitForTimeout(500); // let the page settle (hydration, fonts)
  const events: TraceEvent[] = [];
  const collect = (e: { value: object[] }) => {
    for (const v of e.value) events.push(v as TraceEvent);
  };
  cdp.on("Tracing.dataCollected", collect);
  await cdp.send("Tracing.start", { categories: "toplevel,blink.user_timing,__metadata", transferMode: "ReportEvents" });
  if (profile) {
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
    await cdp.send("Profiler.start");
  }
  await page.evaluate(() => {
    const w = window as unknown as { __bench: { on: boolean; maxFrameGap: number; frames: number } };
    w.__bench.maxFrameGap = 0;
    w.__bench.frames = 0;
    w.__bench.on = true;
    performance.mark("bench-start");
  });
  const t0 = performance.now();
  await page.getByTestId("composer-input").press("Enter");
  const samples: Sample[] = [];
  for (;;) {
    const [m, shown] = await Promise.all([metrics(cdp), page.evaluate(shownState)]);
    samples.push({ t: performance.now() - t0, chars: shown.chars, ...m });
    if (["complete", "failed", "interrupted"].includes(shown.status)) break;
    if (performance.now() - t0 > 600_000) throw new Error(`${name}: no end after 10 minutes`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const streamMs = performance.now() - t0;
  // The hand-over to the saved copy (router refresh, live reply released).
  await page.waitForTimeout(2500);
  const end = { t: performance.now() - t0, chars: (await page.evaluate(shownState)).chars, ...(await metrics(cdp)) };
  const cpuProfile = profile ? (await cdp.send("Profiler.stop")).profile : undefined;
  const frames = await page.evaluate(() => {
    const w = window as unknown as { __bench: { maxFrameGap: number; frames: number; on: boolean } };
    w.__bench.on = false;
    return { maxFrameGap: w.__bench.maxFrameGap, frames: w.__bench.frames };
  });
  const traced = new Promise((r) => cdp.once("Tracing.tracingComplete", r));
  await cdp.send("Tracing.end");
  await traced;
  cdp.off("Tracing.dataCollected", collect);
  if (end.chars !== text.length) throw new Error(`${name}: ${end.chars} characters shown, ${text.length} sent`);

  const streamEnd = samples.at(-1)!.t;
  const charsAt = (t: number) => {
    // The first sample at or after t (binary search: a long run has many tasks).
    let lo = 0;
    let hi = samples.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (samples[mid].t < t) lo = mid + 1;
      else hi = mid;
    }
    return samples[lo]?.chars ?? text.length;
  };
  const tasks = mainThreadTasks(events, "bench-start").tasks.map((task) => ({ ...task, chars: charsAt(task.t) }));
  const long = tasks.filter((task) => task.wall > 50 || task.cpu > 50);
  return {
    name,
    chars: text.length,
    tokens: Math.ceil(text.length / 4),
    streamMs,
    samples: [...samples, end],
    longTasks: long.filter((task) => task.t <= streamEnd),
    finishTasks: long.filter((task) => task.t > streamEnd),
    maxCpuTaskMs: tasks.reduce((max, task) => Math.max(max, task.cpu), 0),
    maxFrameGapMs: frames.maxFrameGap,
    frames: frames.frames,
    profile: cpuProfile,
  };
}

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number };

/** Self time by function, hottest first. */
function hottest(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }, n = 25) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").pop()}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...self].sort((a, b) => b[1] - a[1]).slice(0, n);
}

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

// ---- main ------------------------------------------------------------------------

async function main() {
  if (!argv["no-build"]) {
    console.log(`building into ${argv.dist} …`);
    // `next build` with another dist dir adds it to tsconfig.json: put it back.
    const tsconfig = readFileSync(join(ROOT, "tsconfig.json"), "utf8");
    try {
      execFileSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], { cwd: ROOT, env: { ...process.env, NEXT_DIST_DIR: argv.dist }, stdio: "inherit" });
    } finally {
      writeFileSync(join(ROOT, "tsconfig.json"), tsconfig);
    }
  }
  const loadBefore = loadavg()[0];
  const md = markdownReply(CHARS);
  const prose = proseReply(md.text.length);
  const fake = await startFakeAnthropic({ port: 0 });
  const app = await startApp(fake);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const runs: Run[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.addInitScript({ content: PROBE });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable", { timeDomain: "threadTicks" });
    if (THROTTLE > 1) await cdp.send("Emulation.setCPUThrottlingRate", { rate: THROTTLE });
    // Warm-up: loads the code chunks and shiki grammars once, unmeasured.
    await measure(page, cdp, app.url, fake, "warm-up", markdownReply(4000).text);
    const markdownRun = await measure(page, cdp, app.url, fake, "markdown", md.text, argv.profile);
    if (markdownRun.profile) {
      mkdirSync(argv.out, { recursive: true });
      const file = join(argv.out, `render-${Date.now()}.cpuprofile`);
      writeFileSync(file, JSON.stringify(markdownRun.profile));
      console.log(`CPU profile: ${file}; hottest functions (self ms):`);
      for (const [name, ms] of hottest(markdownRun.profile as Parameters<typeof hottest>[0])) console.log(`  ${ms.toFixed(0).padStart(6)}  ${name}`);
      delete markdownRun.profile;
    }
    runs.push(markdownRun);
    runs.push(await measure(page, cdp, app.url, fake, "prose", prose));
  } finally {
    await browser.close();
    await app.stop();
    await fake.close();
  }

  const report = runs.map((run) => ({
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
  const env = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    loadAverage: { before: loadBefore, after: loadavg()[0] },
    cpuThrottle: THROTTLE,
    chunk: CHUNK,
    delayMs: DELAY,
    codeBlocks: md.codeBlocks,
    tables: md.tables,
    chars: md.text.length,
  };
  mkdirSync(argv.out, { recursive: true });
  const file = join(argv.out, `render-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, JSON.stringify({ env, report, runs }, null, 1));

  const f = (x: number) => x.toFixed(1);
  const i = (x: number) => String(Math.round(x));
  console.log(`\n${md.text.length} characters (~${TOKENS} tokens), ${md.codeBlocks} code blocks, ${md.tables} tables; ${CHUNK} chars/delta, ${DELAY} ms/delta; CPU throttle ${THROTTLE}x`);
  console.log(`${env.cpus} cores (${env.cpuModel}); load average ${loadBefore.toFixed(1)} before, ${env.loadAverage.after.toFixed(1)} after`);
  console.log("");
  console.log("                      main thread, per 1,000 tokens          tasks > 50 ms");
  console.log("run       window      busy%   all ms  script  layout+style    wall  CPU   max wall  max CPU");
  for (const r of report)
    for (const [w, v] of [["first 10%", r.first10pct], ["last 10%", r.last10pct], ["whole", r.whole]] as const)
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
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
