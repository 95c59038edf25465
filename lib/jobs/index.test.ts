// The job-runner seam: which runner the env selects, the in-process runner
// running real generations (fake Anthropic upstream, in-memory PGlite), and
// the Inngest runner's events on the wire (a local stand-in for Inngest's
// event API).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { Inngest } from "inngest";
import { openDatabase, type Db, type DbHandle } from "../platform/db";
import type { App } from "../app";
import { ConfigError } from "../config";
import { testApp, testConfig, pendingReply } from "../testing/app";
import { startFakeAnthropic, type FakeAnthropic } from "../testing/fake-anthropic";
import type { CheckpointState } from "../reply/lifecycle";
import { InngestJobRunner, InProcessJobRunner } from ".";
import { captureLogs } from "../platform/log";

let db: DbHandle;
let fake: FakeAnthropic;
let app: App;
/** The app of this file over `prisma` (the real database, or a failing stand-in). */
const appOn = (prisma: Db) => testApp({ LLM_PROVIDER: "anthropic", ANTHROPIC_API_KEY: "sk-test", ANTHROPIC_BASE_URL: fake.url }, { dbHandle: { ...db, prisma } });

beforeAll(async () => {
  fake = await startFakeAnthropic();
  db = await openDatabase({ kind: "pglite-memory" });
  app = appOn(db.prisma);
});

afterAll(async () => {
  await app?.close();
  await db?.close();
  await fake?.close();
});

async function newReply(content?: string) {
  return (await pendingReply(db.prisma, content)).id;
}

const row = (id: string) => db.prisma.message.findUniqueOrThrow({ where: { id } });
const textState = (seq: number, text: string): CheckpointState => ({ seq, status: "complete", parts: [{ type: "text", text }], content: text, error: null });

/** The same client, except that the first `failures` message writes fail. */
function flakyWrites(prisma: Db, failures: number): { prisma: Db; attempts: () => number } {
  let attempts = 0;
  const message = new Proxy(prisma.message, {
    get(target, prop, receiver) {
      if (prop !== "updateMany") return Reflect.get(target, prop, receiver);
      return (...args: Parameters<Db["message"]["updateMany"]>) => (++attempts <= failures ? Promise.reject(new Error("database is down")) : target.updateMany(...args));
    },
  });
  const wrapped = new Proxy(prisma, { get: (t, p, r) => (p === "message" ? message : Reflect.get(t, p, r)) });
  return { prisma: wrapped, attempts: () => attempts };
}

describe("runner selection", () => {
  it.each([
    [{}, "in-process"],
    [{ INNGEST_EVENT_KEY: "ek" }, "inngest"],
    [{ INNGEST_SIGNING_KEY: "signkey-prod-abc" }, "inngest"],
    [{ INNGEST_DEV: "1" }, "inngest"],
    [{ INNGEST_DEV: "http://127.0.0.1:8288" }, "inngest"],
    [{ INNGEST_DEV: "0" }, "in-process"],
    [{ INNGEST_EVENT_KEY: "  ", INNGEST_DEV: "" }, "in-process"],
  ] as const)("%j → %s", (env, kind) => {
    const blank = { INNGEST_EVENT_KEY: "", INNGEST_SIGNING_KEY: "", INNGEST_DEV: "", INNGEST_SERVE_ORIGIN: "https://chat.example.com" };
    expect(testConfig({ ...blank, ...env }).jobs).toBe(kind);
    const built = testApp({ ...blank, ...env });
    expect(built.jobs.kind).toBe(kind);
    expect(built.jobs).toBeInstanceOf(kind === "inngest" ? InngestJobRunner : InProcessJobRunner);
  });
});

describe("resume threshold", () => {
  it("is RESUME_STALE_MS, else half of STALE_REPLY_MS, else 45 s; a bad value is refused by name", () => {
    const resumeStaleMs = (env: Record<string, string>) => testConfig({ STALE_REPLY_MS: "", RESUME_STALE_MS: "", ...env }).reply.resumeStaleMs;
    expect(resumeStaleMs({})).toBe(45_000);
    expect(resumeStaleMs({ STALE_REPLY_MS: "60000" })).toBe(30_000);
    expect(resumeStaleMs({ STALE_REPLY_MS: "60000", RESUME_STALE_MS: "5000" })).toBe(5_000);
    expect(() => resumeStaleMs({ RESUME_STALE_MS: "-1" })).toThrow(ConfigError);
    expect(() => resumeStaleMs({ RESUME_STALE_MS: "-1" })).toThrow(/RESUME_STALE_MS/);
  });
});

describe("in-process runner", () => {
  const runner = new InProcessJobRunner(() => app.replyJobs, [1, 1, 1]);
  /** A runner whose job code sees `prisma` as its database. */
  const runnerOn = (prisma: Db) => {
    const other = appOn(prisma);
    return new InProcessJobRunner(() => other.replyJobs, [1, 1, 1]);
  };

  it("resolves once the generation started, which then completes on its own", async () => {
    const id = await newReply();
    const text = `Detached ✓ 世界 👩‍💻 e\u0301\ndata: x\n\nid: 3\n${randomUUID()}`;
    fake.enqueue({ text, chunk: 2, delayMs: 5 });

    await runner.startGeneration(id);

    const done = app.generations.whenDone(id);
    expect(done).toBeDefined();
    expect((await row(id)).status).not.toBe("complete");
    const message = await done!;
    expect(message).toMatchObject({ status: "complete", content: text });
    expect(await row(id)).toMatchObject({ status: "complete", content: text });
  });

  it("does not throw for a missing message, and starts nothing", async () => {
    const logs = captureLogs();
    const id = randomUUID();
    const before = fake.requests.length;
    try {
      await expect(runner.startGeneration(id)).resolves.toBeUndefined();
    } finally {
      logs.restore();
    }
    expect(app.generations.isLive(id)).toBe(false);
    expect(fake.requests.length).toBe(before);
    expect(logs.entries()).toContainEqual(expect.objectContaining({ level: "warn", messageId: id, reason: "not_found", msg: "generation not started" }));
  });

  it("logs, never rejects, when the database fails", async () => {
    const logs = captureLogs();
    const broken = new Proxy(db.prisma, {
      get: (t, p, r) => (p === "message" ? { findUnique: () => Promise.reject(new Error("database is down")) } : Reflect.get(t, p, r)),
    });
    try {
      await expect(runnerOn(broken).startGeneration(randomUUID())).resolves.toBeUndefined();
    } finally {
      logs.restore();
    }
    expect(logs.entries()).toContainEqual(
      expect.objectContaining({ level: "error", msg: "could not start the generation", err: expect.objectContaining({ message: "database is down" }) }),
    );
  });

  it("persists through a database outage by retrying, seq-guarded", async () => {
    const id = await newReply();
    const flaky = flakyWrites(db.prisma, 2);
    const onFlaky = runnerOn(flaky.prisma);
    await onFlaky.persist(id, textState(50, "saved on the third try"));
    expect(flaky.attempts()).toBe(3);
    await onFlaky.persist(id, textState(49, "older, ignored"));
    expect(await row(id)).toMatchObject({ seq: 50, status: "complete", content: "saved on the third try" });
  });

  it("rejects a persist once every retry failed", async () => {
    const id = await newReply();
    const flaky = flakyWrites(db.prisma, 100);
    await expect(runnerOn(flaky.prisma).persist(id, textState(5, "lost"))).rejects.toThrow("database is down");
    expect(flaky.attempts()).toBe(4);
    expect((await row(id)).content).toBe("");
  });
});

describe("Inngest runner", () => {
  type Received = { path: string; events: { name: string; data: unknown; id?: string }[] };
  let received: Received[];
  let failing = false;
  let server: ReturnType<typeof createServer>;
  let client: Inngest;

  beforeAll(async () => {
    received = [];
    server = createServer(async (req: IncomingMessage, res) => {
      let raw = "";
      for await (const chunk of req) raw += chunk;
      if (failing) {
        res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: "unavailable", status: 500 }));
        return;
      }
      const events = JSON.parse(raw);
      received.push({ path: req.url ?? "", events });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ids: events.map(() => randomUUID()), status: 200 }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    client = new Inngest({ id: "tether-test", isDev: false, eventKey: "test-key", baseUrl: `http://127.0.0.1:${port}/` });
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it("sends a generate event and runs nothing here", async () => {
    const id = await newReply();
    const before = fake.requests.length;
    await new InngestJobRunner(new InProcessJobRunner(() => app.replyJobs, [1]), client).startGeneration(id);
    expect(received.at(-1)).toMatchObject({ path: "/e/test-key", events: [{ name: "tether/reply.generate", data: { messageId: id } }] });
    expect(app.generations.isLive(id)).toBe(false);
    expect(fake.requests.length).toBe(before);
    expect((await row(id)).status).toBe("pending");
  });

  it("sends a persist event with an id per state, so a duplicate send is dropped", async () => {
    const id = await newReply();
    const state = textState(9, "to Inngest ✓");
    await new InngestJobRunner(new InProcessJobRunner(() => app.replyJobs, [1]), client).persist(id, state);
    expect(received.at(-1)?.events).toEqual([expect.objectContaining({ name: "tether/reply.persist", id: `persist-${id}-9`, data: { messageId: id, state } })]);
    expect((await row(id)).content).toBe(""); // Inngest's function does the save
  });

  it("saves here when the event cannot be sent; a generate send failure rejects", async () => {
    const id = await newReply();
    failing = true;
    try {
      const runner = new InngestJobRunner(new InProcessJobRunner(() => app.replyJobs, [1]), client);
      await runner.persist(id, textState(12, "saved locally"));
      await expect(runner.startGeneration(id)).rejects.toThrow();
    } finally {
      failing = false;
    }
    expect(await row(id)).toMatchObject({ seq: 12, content: "saved locally" });
  });
});
