// Where the time before the first token goes: one post at a time, in this
// process, through the real route handler, on PGlite and PostgreSQL, with
// every database operation timed (a Prisma query extension) and the moment
// the SDK's request to the fake upstream leaves. Prints, per database, the
// median timeline of the samples: each operation's start and duration, the
// POST's answer, the upstream request and the first delta on the wire.
// docs/BENCHMARKS.md, "Where the first token's time goes".
//
//   npm run bench:admission -- [--samples 40] [--db pglite,postgres] [--pg-url URL]
import { parseArgs } from "node:util";
import pg from "pg";
import { openDatabase, type DbHandle } from "../lib/platform/db";
import { testApp } from "../lib/testing/app";
import { setApp } from "../lib/runtime";
import { setLogLevel } from "../lib/platform/log";
import { startFakeAnthropic } from "../lib/testing/fake-anthropic";
import { call, cookieFrom } from "../lib/testing/route-client";
import * as guest from "../app/api/auth/guest/route";
import * as conversations from "../app/api/conversations/route";
import * as messages from "../app/api/conversations/[id]/messages/route";

const { values } = parseArgs({
  options: {
    samples: { type: "string", default: "40" },
    db: { type: "string", default: "pglite,postgres" },
    "pg-url": { type: "string", default: process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test" },
  },
});
setLogLevel("silent");
const SAMPLES = Number(values.samples);
const WARMUP = 5;

type Mark = { at: number; ms?: number; what: string };
let marks: Mark[] = [];
let t0 = 0;
const now = () => performance.now() - t0;

function timed(handle: DbHandle): DbHandle {
  const prisma = handle.prisma.$extends({
    query: {
      async $allOperations({ model, operation, args, query }) {
        const at = now();
        try {
          return await query(args);
        } finally {
          marks.push({ at, ms: now() - at, what: `${model ? `${model}.` : ""}${operation}` });
        }
      },
    },
  });
  return { ...handle, prisma: prisma as unknown as DbHandle["prisma"] };
}

const realFetch = globalThis.fetch;
globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
  const upstream = String(input instanceof Request ? input.url : input).includes("/v1/messages");
  if (upstream) marks.push({ at: now(), what: "→ upstream request leaves" });
  return realFetch(input, init);
}) as typeof fetch;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function profile(kind: "pglite" | "postgres") {
  const schema = `bench_admission_${process.pid}_${Date.now()}`;
  const fake = await startFakeAnthropic();
  const base = await openDatabase(kind === "pglite" ? { kind: "pglite-memory" } : { kind: "postgres", url: values["pg-url"]!, schema });
  const app = testApp(
    {
      LLM_PROVIDER: "anthropic",
      ANTHROPIC_API_KEY: "sk-bench",
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_MODEL: "claude-haiku-4-5",
      SESSION_SECRET: "bench".padEnd(48, "s"),
      CONVERSATION_TITLES: "off",
      LOG_LEVEL: "silent",
      MESSAGE_RATE_LIMIT: "0",
    },
    { dbHandle: timed(base) },
  );
  setApp(app);
  const runs: Mark[][] = [];
  try {
    const cookie = cookieFrom(await call(guest.POST, "POST", "/api/auth/guest"));
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      const conv = await (await call(conversations.POST, "POST", "/", { cookie, body: {} })).json();
      // Deltas 5 ms apart: the reply is still streaming when the POST's stream subscribes.
      fake.enqueue({ text: "Hello there, this is the first delta and more.", chunk: 8, delayMs: 5 });
      marks = [];
      t0 = performance.now();
      const res = await call(messages.POST, "POST", "/", { cookie, body: { content: `sample ${i}`, stream: true }, params: { id: conv.id } });
      if (res.status !== 200) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
      marks.push({ at: now(), what: "← POST answered (headers)" });
      const reader = res.body!.getReader();
      let text = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
        if (text.includes("event: delta")) marks.push({ at: now(), what: "← first delta on the wire" });
        if (text.includes("event: done")) break;
      }
      await reader.cancel().catch(() => {});
      if (i >= WARMUP) runs.push(marks.sort((a, b) => a.at - b.at));
    }
  } finally {
    setApp(undefined);
    await app.close();
    await base.close();
    await fake.close();
    if (kind === "postgres") {
      const admin = new pg.Client({ connectionString: values["pg-url"] });
      await admin.connect();
      await admin.query(`drop schema if exists "${schema}" cascade`);
      await admin.end();
    }
  }
  // A step is an operation's k-th occurrence in its run, up to the first delta
  // (checkpoints come after); steps are listed by their median start.
  const steps = new Map<string, { at: number[]; ms: number[] }>();
  for (const run of runs) {
    const seen = new Map<string, number>();
    for (const m of run.slice(0, run.findIndex((x) => x.what.startsWith("← first delta")) + 1)) {
      const k = (seen.get(m.what) ?? 0) + 1;
      seen.set(m.what, k);
      const step = steps.get(`${m.what}#${k}`) ?? { at: [], ms: [] };
      step.at.push(m.at);
      if (m.ms !== undefined) step.ms.push(m.ms);
      steps.set(`${m.what}#${k}`, step);
    }
  }
  console.log(`\n${kind}: median of ${runs.length} posts (ms from the request)`);
  console.log("   start    took  step");
  const rows = [...steps].map(([key, v]) => ({ what: key.replace(/#1$/, ""), at: median(v.at), ms: v.ms.length ? median(v.ms).toFixed(2) : "", n: v.at.length }));
  for (const r of rows.sort((a, b) => a.at - b.at)) {
    console.log(`${r.at.toFixed(2).padStart(8)} ${r.ms.padStart(7)}  ${r.what}${r.n < runs.length ? ` (in ${r.n} of ${runs.length} runs)` : ""}`);
  }
}

for (const kind of values.db!.split(",")) await profile(kind as "pglite" | "postgres");
process.exit(0);
