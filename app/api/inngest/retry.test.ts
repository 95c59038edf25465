// The crash a retry exists for, for real: a worker process runs
// generate-reply through the served /api/inngest handler (INNGEST_DEV=1, as an
// Inngest server calls it) and is killed with SIGKILL mid-reply. Inngest's
// retries are then driven at this process's /api/inngest like the server
// would send them (attempt 1, 2): the first waits (the row was just saved),
// the next resumes the reply from its saved partial. PostgreSQL (isolated
// schema) and Redis shared by both processes, as in scaled mode; a second
// Redis bus stands in for the instance serving a tab that watched throughout.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { once } from "node:events";
import pg from "pg";
import { openDatabase, type DbHandle } from "@/lib/platform/db";
import type { App } from "@/lib/app";
import { setApp } from "@/lib/runtime";
import { testAdmission, testApp } from "@/lib/testing/app";
import { startFakeAnthropic, type FakeAnthropic } from "@/lib/testing/fake-anthropic";
import { createConversation } from "@/lib/chat/conversations";
import { createReply } from "@/lib/reply/admission";
import { ensureUser } from "@/lib/auth/users";
import { RedisStreamBus } from "@/lib/stream/redis-bus";
import type { StreamEvent } from "@/lib/stream/events";
import { applyEvent } from "@/lib/stream/reduce";
import type { Message } from "@/lib/chat/types";

const PG_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const schema = `t_inngest_retry_${process.pid}_${Date.now()}`;
const dbUrl = `${PG_URL}${PG_URL.includes("?") ? "&" : "?"}schema=${schema}`;

type Route = typeof import("./route");
let route: Route;
let db: DbHandle;
let fake: FakeAnthropic;
let app: App;
const watcherBus = new RedisStreamBus(REDIS_URL);

beforeAll(async () => {
  fake = await startFakeAnthropic();
  const env = {
    INNGEST_DEV: "1",
    INNGEST_SIGNING_KEY: "",
    LLM_PROVIDER: "anthropic",
    ANTHROPIC_API_KEY: "sk-test",
    ANTHROPIC_BASE_URL: fake.url,
    ANTHROPIC_MODEL: "claude-haiku-4-5",
    REDIS_URL,
    CHECKPOINT_INTERVAL_MS: "100",
    RESUME_STALE_MS: "45000",
  };
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  db = await openDatabase({ kind: "postgres", url: PG_URL, schema });
  app = testApp({}, { dbHandle: db }); // from the environment stubbed above, as the worker's
  setApp(app);
  route = await import("./route");
});

afterAll(async () => {
  await watcherBus.close();
  setApp(undefined);
  await app?.close();
  vi.unstubAllEnvs();
  await db?.close();
  await fake?.close();
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`drop schema if exists "${schema}" cascade`);
  await admin.end();
});

const row = (id: string) => db.prisma.message.findUniqueOrThrow({ where: { id } });
const stepHash = (id: string) => createHash("sha1").update(id).digest("hex");

/** One execution request of generate-reply, as Inngest sends it (unsigned in dev mode). */
function execute(messageId: string, attempt: number) {
  const event = { name: "tether/reply.generate", data: { messageId }, id: randomUUID(), ts: Date.now() };
  const body = {
    event,
    events: [event],
    steps: {},
    ctx: { run_id: "run-crashed", attempt, disable_immediate_execution: false, use_api: false, stack: { stack: [], current: 0 } },
    version: 2,
  };
  return route.POST(
    new Request("http://localhost/api/inngest?fnId=tether-generate-reply&stepId=step", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }) as never,
    undefined,
  );
}

/** A worker process generating the reply through its own /api/inngest handler. */
function startWorker(messageId: string) {
  const child = spawn(process.execPath, ["--import", "tsx", "app/api/inngest/crash-worker.fixture.ts", messageId], {
    cwd: process.cwd(),
    env: { ...process.env, DATABASE_URL: dbUrl, NODE_ENV: "test", LOG_LEVEL: "silent" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  return { child, output: () => output };
}

describe("generate-reply after its worker process was killed (served endpoint)", () => {
  it("resumes from the saved partial on a retry: byte-exact text, ids past the ceiling, watchers see no gap", async () => {
    const userId = randomUUID();
    await ensureUser(db.prisma, userId);
    const conv = await createConversation(db.prisma, userId);
    const { assistantMessage: initial } = await createReply(testAdmission(db.prisma), userId, conv.id, `crash test ${randomUUID()}`);
    await app.bus.open(initial, 0); // as deliverReply does before handing it to Inngest
    const text = "Ünïcødé👩‍💻—données—中文—e\u0301—".repeat(40);
    fake.enqueue({ text, chunk: 1, delayMs: 8 });

    // A tab served by a third instance follows the reply from the start.
    const seen: StreamEvent[] = [];
    let ended!: () => void;
    const done = new Promise<void>((r) => (ended = r));
    const sub = await watcherBus.subscribe(initial.id, 0, (e) => {
      seen.push(e);
      if (e.event === "done") ended();
    });

    const worker = startWorker(initial.id);
    try {
      // Some text saved, and more streamed after it: then the process dies.
      // (Generous: a busy machine takes long to start a tsx process.)
      await expect.poll(async () => (await row(initial.id)).content.length, { timeout: 60_000, interval: 50 }).toBeGreaterThan(10);
      const savedAt = (await row(initial.id)).content.length;
      await expect.poll(() => fold(initial, seen).content.length, { timeout: 10_000, interval: 10 }).toBeGreaterThan(savedAt + 5);
      worker.child.kill("SIGKILL");
      await once(worker.child, "exit");
    } catch (e) {
      worker.child.kill("SIGKILL");
      throw new Error(`worker output:\n${worker.output()}`, { cause: e });
    }
    expect(worker.output()).not.toContain("finished");
    const dead = await row(initial.id);
    expect(dead.status).toBe("streaming");
    expect(text.startsWith(dead.content)).toBe(true);
    const lastSeenBeforeRetry = seen.at(-1)!.id;
    expect(dead.seqCeiling).toBeGreaterThanOrEqual(lastSeenBeforeRetry);

    // Inngest retries soon after: the row was saved moments ago, so the step asks to be retried later.
    const early = await execute(initial.id, 1);
    expect(early.headers.get("x-inngest-no-retry")).toBe("false");
    expect(Number(early.headers.get("retry-after"))).toBeGreaterThan(30); // seconds until the row is quiet enough
    const [wait] = await early.json();
    expect(wait).toMatchObject({ id: stepHash("generate"), op: "StepError", error: { message: expect.stringContaining("may still be generating") } });
    // Nothing was claimed. (The dead worker's last UPDATE may still land after
    // its exit: PostgreSQL finishes a statement it already received.)
    const waited = await row(initial.id);
    expect(waited.status).toBe("streaming");
    expect(waited.seq).toBeLessThanOrEqual(dead.seqCeiling);

    // RESUME_STALE_MS later (the row is left quiet): the next attempt resumes.
    await db.prisma.$executeRaw`UPDATE "Message" SET "updatedAt" = now() - interval '50 seconds' WHERE id = ${initial.id}::uuid`;
    const continuation = `—fin ✓ ${randomUUID()}`;
    fake.enqueue({ text: continuation, chunk: [2, 1, 3] });
    const res = await execute(initial.id, 2);
    expect(res.status).toBe(206);
    const [ok] = await res.json();
    const final = await row(initial.id);
    expect(ok).toMatchObject({ op: "StepRun", data: { messageId: initial.id, ran: true, resumed: true, status: "complete", seq: final.seq } });
    expect(final.status).toBe("complete");
    expect(final.content.endsWith(continuation)).toBe(true);

    await done;
    sub.close();
    const ids = seen.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const resumedAt = seen.findIndex((e) => e.id > lastSeenBeforeRetry);
    expect(seen[resumedAt]).toMatchObject({ id: dead.seqCeiling + 1, event: "snapshot" });
    // The retry went on from exactly what was saved when it claimed the reply.
    const claimed = (seen[resumedAt].data as { message: Message }).message.content;
    expect(claimed.length).toBeGreaterThanOrEqual(dead.content.length);
    expect(text.startsWith(claimed)).toBe(true);
    expect(final.content).toBe(claimed + continuation);
    expect(fold(initial, seen)).toMatchObject({ status: "complete", content: final.content });
  }, 150_000);
});

function fold(initial: Message, events: StreamEvent[]): Message {
  const pending = new Map<number, string>();
  return events.reduce((m, e) => applyEvent(m, e, pending), initial);
}
