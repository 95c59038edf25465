// startServer on the two databases: the sweep at start (PostgreSQL: only
// stale replies, since other instances may be generating; PGlite: everything
// generating, since this process owns the database), the periodic sweep, and
// the heartbeat that keeps this instance's live replies fresh for the others,
// and the periodic purge of expired sessions and idle guests.
// Timing comes from tiny configured intervals; the tests await the rows
// changing (expect.poll) and never assert how long anything took.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { openDatabase, type DbHandle } from "./db";
import { startServer, type StartedServer } from "./server-start";
import type { App } from "../app";
import type { MessageStatus } from "../chat/types";
import { GenerationRegistry } from "../reply/registry";
import { testApp } from "../testing/app";
import { EXPIRED, LIVE, makeUser, remains } from "../testing/guests";
import { startFakeAnthropic, type FakeAnthropic } from "../testing/fake-anthropic";

const PG_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const schema = `t_server_start_${process.pid}_${Date.now()}`;
const MINUTE = 60_000;

let pgDb: DbHandle;
beforeAll(async () => {
  pgDb = await openDatabase({ kind: "postgres", url: PG_URL, schema });
});
afterAll(async () => {
  await pgDb?.close();
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`drop schema if exists "${schema}" cascade`);
  await admin.end();
});

// Whatever a test started is stopped after it, so no timer outlives its test.
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** An app over `db` (in-process bus and control, demo model) with `env` on top of the test environment. */
function appOn(db: DbHandle, env: Record<string, string>, generations?: GenerationRegistry): App {
  // Auto-resume off unless a test turns it on: most of these check what the sweep interrupts.
  const app = testApp({ REDIS_URL: "", NEXT_MANUAL_SIG_HANDLE: "", AUTO_RESUME_ATTEMPTS: "0", ...env }, { dbHandle: db, ...(generations ? { generations } : {}) });
  cleanups.push(() => app.close());
  return app;
}

async function start(app: App): Promise<StartedServer> {
  const started = await startServer(app);
  cleanups.push(() => started.stop());
  return started;
}

/** An assistant reply in a conversation of its own, last saved `agoMs` ago. */
async function reply(db: DbHandle, status: MessageStatus, agoMs: number): Promise<string> {
  const userId = randomUUID();
  await db.prisma.user.create({ data: { id: userId } });
  const conv = await db.prisma.conversation.create({ data: { userId, title: "t" } });
  const user = await db.prisma.message.create({ data: { conversationId: conv.id, role: "user", content: "hi", status: "complete" } });
  const m = await db.prisma.message.create({
    data: { conversationId: conv.id, parentId: user.id, role: "assistant", content: "partial", status, updatedAt: new Date(Date.now() - agoMs) },
  });
  return m.id;
}

const statusOf = async (db: DbHandle, id: string) => (await db.prisma.message.findUniqueOrThrow({ where: { id } })).status;
const updatedAtOf = async (db: DbHandle, id: string) => (await db.prisma.message.findUniqueOrThrow({ where: { id } })).updatedAt.getTime();

/** A registry that reports `ids` as live, as if this instance were generating them. */
class PinnedRegistry extends GenerationRegistry {
  constructor(private readonly ids: string[]) {
    super();
  }
  override liveIds(): string[] {
    return [...this.ids];
  }
}

describe("startServer on PostgreSQL", () => {
  it("sweeps stale generating replies at start and leaves fresh ones to the instances running them", async () => {
    const staleStreaming = await reply(pgDb, "streaming", 5 * MINUTE);
    const stalePending = await reply(pgDb, "pending", 5 * MINUTE);
    const fresh = await reply(pgDb, "streaming", 0);
    const finished = await reply(pgDb, "complete", 5 * MINUTE);
    const app = appOn(pgDb, { STALE_REPLY_MS: String(MINUTE), SWEEP_INTERVAL_MS: String(60 * MINUTE) });
    expect(pgDb.kind).toBe("postgres");

    await start(app); // resolves after the sweep at start

    expect(await statusOf(pgDb, staleStreaming)).toBe("interrupted");
    expect(await statusOf(pgDb, stalePending)).toBe("interrupted");
    expect(await statusOf(pgDb, fresh)).toBe("streaming");
    expect(await statusOf(pgDb, finished)).toBe("complete");
    const row = await pgDb.prisma.message.findUniqueOrThrow({ where: { id: staleStreaming } });
    expect(row.content).toBe("partial"); // what was saved is kept, ready for Continue
  });

  it("sweeps again every SWEEP_INTERVAL_MS", async () => {
    const app = appOn(pgDb, { STALE_REPLY_MS: String(MINUTE), SWEEP_INTERVAL_MS: "40" });
    await start(app);
    // Made after the sweep at start: only a later, periodic sweep can see them.
    const fresh = await reply(pgDb, "streaming", 0);
    const stale = await reply(pgDb, "streaming", 5 * MINUTE);

    await expect.poll(() => statusOf(pgDb, stale), { timeout: 20_000, interval: 20 }).toBe("interrupted");
    // The sweep that took the stale reply saw the fresh one too, and left it.
    expect(await statusOf(pgDb, fresh)).toBe("streaming");
  });

  it("purges expired sessions and unreachable guests every PURGE_INTERVAL_MS, and leaves live guests", async () => {
    const expired = await makeUser(pgDb.prisma, { sessions: [EXPIRED], reply: "complete" });
    const live = await makeUser(pgDb.prisma, { sessions: [LIVE], reply: "complete" });
    await start(appOn(pgDb, { PURGE_INTERVAL_MS: "40" }));

    await expect.poll(async () => (await remains(pgDb.prisma, expired)).user, { timeout: 20_000, interval: 20 }).toBe(false);
    expect(await remains(pgDb.prisma, live)).toMatchObject({ user: true, sessions: 1, messages: 2 });
  });

  it("never sweeps the replies this instance is generating, and keeps them fresh with a heartbeat", async () => {
    const live = await reply(pgDb, "streaming", 10 * MINUTE);
    const before = await updatedAtOf(pgDb, live);
    const app = appOn(pgDb, { STALE_REPLY_MS: String(MINUTE), HEARTBEAT_MS: "1", SWEEP_INTERVAL_MS: "40" }, new PinnedRegistry([live]));
    await start(app);

    await expect.poll(() => updatedAtOf(pgDb, live), { timeout: 20_000, interval: 20 }).toBeGreaterThan(before);
    expect(await statusOf(pgDb, live)).toBe("streaming");

    // Another instance (no live generations of its own) now finds it fresh.
    const other = appOn(pgDb, { STALE_REPLY_MS: String(MINUTE) });
    expect(await other.replyJobs.sweepStale()).toEqual({ interrupted: [], resumed: [] });
    expect(await statusOf(pgDb, live)).toBe("streaming");
  });

  describe("with a generation stalled on the upstream", () => {
    let fake: FakeAnthropic;
    beforeAll(async () => {
      fake = await startFakeAnthropic();
    });
    afterAll(async () => {
      await fake?.close();
    });

    it("the heartbeat keeps its reply fresh while no token arrives", async () => {
      const app = appOn(pgDb, {
        LLM_PROVIDER: "anthropic",
        ANTHROPIC_API_KEY: "sk-test-server-start",
        ANTHROPIC_BASE_URL: fake.url,
        ANTHROPIC_MODEL: "claude-haiku-4-5",
        STALE_REPLY_MS: String(MINUTE),
        HEARTBEAT_MS: "1",
        SWEEP_INTERVAL_MS: String(60 * MINUTE),
        UPSTREAM_IDLE_TIMEOUT_MS: String(10 * MINUTE),
      });
      const id = await reply(pgDb, "pending", 0);
      await pgDb.prisma.message.update({ where: { id }, data: { content: "" } });
      fake.enqueue({ text: "thinking about it…", end: "stall", failAfter: 9, chunk: 3 });
      const done = app.generations.start(await app.generationDeps(), id);
      cleanups.push(async () => {
        await app.generations.stop(id);
        await done.catch(() => {});
      });
      // The text before the stall is checkpointed; after it nothing more comes.
      await expect.poll(async () => (await pgDb.prisma.message.findUniqueOrThrow({ where: { id } })).content, { timeout: 20_000 }).toBe("thinking ");
      await start(app);
      // Make the row look abandoned: only the heartbeat can bring it back.
      const old = new Date(Date.now() - 10 * MINUTE);
      await pgDb.prisma.$executeRaw`UPDATE "Message" SET "updatedAt" = ${old} WHERE id = ${id}::uuid`;

      await expect.poll(() => updatedAtOf(pgDb, id), { timeout: 20_000, interval: 20 }).toBeGreaterThan(old.getTime());
      expect(app.generations.isLive(id)).toBe(true);
      expect(await statusOf(pgDb, id)).toBe("streaming");
    });
  });
});

describe("startServer on PGlite (embedded: this process owns the database)", () => {
  let lite: DbHandle;
  beforeAll(async () => {
    lite = await openDatabase({ kind: "pglite-memory" });
  });
  afterAll(async () => {
    await lite?.close();
  });

  it("sweeps every reply generating at start, fresh or not", async () => {
    const fresh = await reply(lite, "streaming", 0);
    const pending = await reply(lite, "pending", 0);
    const stale = await reply(lite, "streaming", 5 * MINUTE);
    const finished = await reply(lite, "complete", 0);
    const app = appOn(lite, { STALE_REPLY_MS: String(60 * MINUTE), SWEEP_INTERVAL_MS: String(60 * MINUTE) });
    expect(lite.kind).toBe("pglite");

    await start(app);

    expect(await statusOf(lite, fresh)).toBe("interrupted");
    expect(await statusOf(lite, pending)).toBe("interrupted");
    expect(await statusOf(lite, stale)).toBe("interrupted");
    expect(await statusOf(lite, finished)).toBe("complete");
  });

  it("with auto-resume on, every reply generating at start is resumed before start resolves, and goes on from what was saved", async () => {
    const cut = await reply(lite, "streaming", 0);
    await lite.prisma.message.update({ where: { id: cut }, data: { parts: [{ type: "text", text: "partial" }], seq: 4, seqCeiling: 1004 } });
    const app = appOn(lite, { AUTO_RESUME_ATTEMPTS: "2", DEMO_TOKEN_DELAY_MS: "1", STALE_REPLY_MS: String(60 * MINUTE), SWEEP_INTERVAL_MS: String(60 * MINUTE) });

    await start(app);

    // Before any request is served: the reply runs here again and its log is open for the tabs that reconnect.
    expect(app.generations.isLive(cut)).toBe(true);
    expect((await app.bus.subscribe(cut, null, () => {})).start.kind).toBe("snapshot");
    const done = await app.generations.whenDone(cut)!;
    expect(done.status).toBe("complete");
    expect(done.content.startsWith("partial")).toBe(true);
    expect(done.content.length).toBeGreaterThan("partial".length);
    expect((await lite.prisma.message.findUniqueOrThrow({ where: { id: cut } })).resumeAttempts).toBe(1);
  });

  it("later sweeps take replies no local generation owns, whatever STALE_REPLY_MS says", async () => {
    const app = appOn(lite, { STALE_REPLY_MS: String(60 * MINUTE), SWEEP_INTERVAL_MS: "40" });
    await start(app);
    const orphan = await reply(lite, "streaming", 5 * MINUTE);

    await expect.poll(() => statusOf(lite, orphan), { timeout: 20_000, interval: 20 }).toBe("interrupted");
  });
});
