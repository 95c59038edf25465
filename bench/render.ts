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
//
// The replies are in bench/render-replies.ts, the measurement in
// bench/render-measure.ts and the report in bench/render-report.ts.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "@playwright/test";
import { startFakeAnthropic, type FakeAnthropic } from "../lib/testing/fake-anthropic";
import { freePort, ROOT } from "./harness/proc";
import { hottest, measure, PROBE, type Run } from "./render-measure";
import { markdownReply, proseReply } from "./render-replies";
import { printReport, summarize, type RenderEnv } from "./render-report";

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
const PACE = { chunk: CHUNK, delayMs: DELAY };

// ---- the app ------------------------------------------------------------------

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
  for (const deadline = Date.now() + 60_000; ;) {
    if (child.exitCode !== null) throw new Error(`app exited:\n${log}`);
    if (
      await fetch(`${url}/api/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
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
    await measure(page, cdp, app.url, fake, PACE, "warm-up", markdownReply(4000).text);
    const markdownRun = await measure(page, cdp, app.url, fake, PACE, "markdown", md.text, argv.profile);
    if (markdownRun.profile) {
      mkdirSync(argv.out, { recursive: true });
      const file = join(argv.out, `render-${Date.now()}.cpuprofile`);
      writeFileSync(file, JSON.stringify(markdownRun.profile));
      console.log(`CPU profile: ${file}; hottest functions (self ms):`);
      for (const [name, ms] of hottest(markdownRun.profile as Parameters<typeof hottest>[0])) console.log(`  ${ms.toFixed(0).padStart(6)}  ${name}`);
      delete markdownRun.profile;
    }
    runs.push(markdownRun);
    runs.push(await measure(page, cdp, app.url, fake, PACE, "prose", prose));
  } finally {
    await browser.close();
    await app.stop();
    await fake.close();
  }

  const report = summarize(runs);
  const env: RenderEnv = {
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
  if (!printReport(report, env, TOKENS, file)) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
