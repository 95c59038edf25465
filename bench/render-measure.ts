// The render benchmark's measurement (bench/render.ts): one reply streamed
// into the page while Chromium's metrics, a trace of the main thread's tasks
// and the frame gaps are recorded; and the hottest functions of a CPU profile.
import type { CDPSession, Page } from "@playwright/test";
import type { FakeAnthropic } from "../lib/testing/fake-anthropic";

export type Sample = { t: number; chars: number; script: number; task: number; layout: number; style: number };

// Installed before any page script: the longest gap between two frames.
// (A string: tsx would wrap inner functions in a helper the page lacks.)
export const PROBE = `
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
export type Task = { t: number; wall: number; cpu: number; chars: number };

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

export type Run = {
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

/** How the fake streams a reply: characters per delta event, and ms before each. */
export type StreamPace = { chunk: number; delayMs: number };

/**
 * Streams `text` as the reply to a new chat and measures the page while it
 * shows it: CDP metrics sampled every 250 ms, a trace of the main thread's
 * tasks, the longest gap between frames, and (with `profile`) a V8 CPU profile.
 */
export async function measure(
  page: Page,
  cdp: CDPSession,
  app: string,
  fake: FakeAnthropic,
  pace: StreamPace,
  name: string,
  text: string,
  profile = false,
): Promise<Run> {
  fake.enqueue({ text, chunk: pace.chunk, delayMs: pace.delayMs });
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
export function hottest(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }, n = 25) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").pop()}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...self].sort((a, b) => b[1] - a[1]).slice(0, n);
}
