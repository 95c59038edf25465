// What a request costs over HTTP through the built app, one at a time, after
// a warm-up: a route that only pings the database (/api/health), two session
// reads, and a post (to its response headers, to the upstream request as the
// fake records it, and to the first delta on the wire). Next to
// bench/admission-profile.ts, which calls the same post route in-process, the
// difference is what the HTTP server and Next.js add. The baseline, in the
// same run: a bare Node HTTP server answering `{}`, in this process (so a
// floor, not a like-for-like server). docs/BENCHMARKS.md, "Run K".
//
//   npm run bench:http -- [--db postgres|pglite] [--samples 40] [--dist .next-bench] [--no-build] [--timeout 600]
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { clockOffset, startFake, stopFake } from "./harness/fake";
import { build, startServer } from "./harness/server";
import { newGuest } from "./harness/clients";
import { killAll, now, setDeadline } from "./harness/proc";

const { values: argv } = parseArgs({
  options: {
    db: { type: "string", default: "postgres" },
    samples: { type: "string", default: "40" },
    dist: { type: "string", default: ".next-bench" },
    "no-build": { type: "boolean", default: false },
    "pg-url": { type: "string", default: process.env.BENCH_PG_URL || "postgresql://postgres@127.0.0.1:5432/test" },
    timeout: { type: "string", default: "600" },
  },
});
setDeadline(Number(argv.timeout));
const SAMPLES = Number(argv.samples);
const WARMUP = 5;
const REPLY = { text: "Hello there, this is the first delta and more.", chunk: 8, delayMs: 5 };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number) => Math.round(x * 10) / 10;

/** ms from sending `req` to its response's headers; the body is read to its end. */
async function timed(req: () => Promise<Response>): Promise<number> {
  const t = now();
  const res = await req();
  const ms = now() - t;
  await res.arrayBuffer();
  return ms;
}

async function main() {
  if (!argv["no-build"]) await build(argv.dist!);
  const fake = await startFake();
  const server = await startServer({
    dist: argv.dist!,
    fakeUrl: fake.url,
    runId: `http${process.pid}`,
    ...(argv.db === "postgres" ? { postgres: { url: argv["pg-url"]!, schema: `bench_http_${process.pid}`, appName: "bench-http", dropOnCleanup: true } } : {}),
  });
  try {
    const { offsetMs } = await clockOffset(fake);
    const base = server.base;
    const g = await newGuest(base, "probe");
    const bare = createServer((_, res) => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
    await new Promise<void>((r) => bare.listen(0, "127.0.0.1", r));
    const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;
    const reads = { bare: [] as number[], health: [] as number[], conversation: [] as number[], list: [] as number[] };
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      const sample = {
        bare: await timed(() => fetch(bareUrl)),
        health: await timed(() => fetch(`${base}/api/health`)),
        conversation: await timed(() => fetch(`${base}/api/conversations/${g.conversationId}`, { headers: { cookie: g.cookie } })),
        list: await timed(() => fetch(`${base}/api/conversations`, { headers: { cookie: g.cookie } })),
      };
      if (i >= WARMUP) for (const k of Object.keys(reads) as (keyof typeof reads)[]) reads[k].push(sample[k]);
    }
    bare.close();
    const post = { headers: [] as number[], upstream: [] as number[], firstDelta: [] as number[] };
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      const guest = await newGuest(base, "probe");
      await fetch(`${fake.url}/_fake/reset`, { method: "POST" });
      await fetch(`${fake.url}/_fake/enqueue`, { method: "POST", body: JSON.stringify([REPLY]) });
      const t = now();
      const res = await fetch(`${base}/api/conversations/${guest.conversationId}/messages`, {
        method: "POST",
        headers: { cookie: guest.cookie, "content-type": "application/json", accept: "text/event-stream" },
        body: JSON.stringify({ content: `probe ${i}`, stream: true }),
      });
      const headers = now() - t;
      if (res.status !== 200) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = "";
      let firstDelta = NaN;
      while (!text.includes("event: done")) {
        const { done, value } = await reader.read();
        if (done) throw new Error("the stream ended without `done`");
        text += value;
        if (Number.isNaN(firstDelta) && text.includes("event: delta")) firstDelta = now() - t;
      }
      await reader.cancel().catch(() => {});
      const records = (await (await fetch(`${fake.url}/_fake/requests`)).json()) as { timings?: { receivedAt: number } }[];
      const receivedAt = records.find((r) => r.timings)?.timings?.receivedAt;
      if (receivedAt === undefined) throw new Error("the fake recorded no upstream request");
      if (i < WARMUP) continue;
      post.headers.push(headers);
      post.upstream.push(receivedAt - offsetMs - t);
      post.firstDelta.push(firstDelta);
    }
    console.log(`${argv.db}, medians of ${SAMPLES} (ms):`);
    console.log(`  GET of a bare Node HTTP server       ${round(median(reads.bare))}`);
    console.log(`  GET /api/health                      ${round(median(reads.health))}`);
    console.log(`  GET /api/conversations/:id           ${round(median(reads.conversation))}`);
    console.log(`  GET /api/conversations               ${round(median(reads.list))}`);
    console.log(`  POST a message → response headers    ${round(median(post.headers))}`);
    console.log(`  POST a message → upstream request    ${round(median(post.upstream))}`);
    console.log(`  POST a message → first delta         ${round(median(post.firstDelta))} (the fake waits ${REPLY.delayMs} ms before each delta)`);
  } finally {
    await server.cleanup();
    await stopFake(fake);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    killAll();
    process.exit(1);
  },
);
