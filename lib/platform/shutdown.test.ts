import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { openDatabase, type DbConfig, type DbHandle } from "./db";
import { startFakeAnthropic, type FakeAnthropic } from "../testing/fake-anthropic";
import { createReply } from "../reply/admission";
import { AppError } from "../errors";
import { testAdmission, testApp } from "../testing/app";

const PG_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const schema = `t_shutdown_${process.pid}_${Date.now()}`;

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(async () => {
  await fake.close();
});

// The same drain on the embedded database and on PostgreSQL (a throw-away schema).
describe.each<{ backend: string; config: DbConfig }>([
  { backend: "PGlite", config: { kind: "pglite-memory" } },
  { backend: "PostgreSQL", config: { kind: "postgres", url: PG_URL, schema } },
])("graceful shutdown on $backend", ({ config }) => {
  let db: DbHandle;
  beforeAll(async () => {
    db = await openDatabase(config);
  });
  afterAll(async () => {
    await db?.close();
    if (config.kind === "postgres") {
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`drop schema if exists "${schema}" cascade`);
      await admin.end();
    }
  });

  async function pending(content: string) {
    const userId = randomUUID();
    await db.prisma.user.create({ data: { id: userId } });
    const conv = await db.prisma.conversation.create({ data: { userId, title: "t" } });
    return { userId, conv, ...(await createReply(testAdmission(db.prisma), userId, conv.id, content)) };
  }

  it("lets quick replies finish, stops and saves the rest, and refuses new ones meanwhile", async () => {
    const app = testApp(
      { LLM_PROVIDER: "anthropic", ANTHROPIC_API_KEY: "k", ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_MODEL: "claude-haiku-4-5", REDIS_URL: "", MAX_TOOL_STEPS: "0" },
      { dbHandle: db },
    );
    const quick = await pending("quick");
    const slow = await pending("slow");
    fake.enqueue({ text: "done in time ✓", delayMs: 20, chunk: 2 }, { text: "never finishes…", end: "stall", failAfter: 6, chunk: 1 });
    let sawSlowText!: () => void;
    const slowText = new Promise<void>((r) => (sawSlowText = r));
    const base = await app.generationDeps();
    const deps = {
      ...base,
      publish: async (id: string, ev: { event: string }[]) => {
        await base.publish?.(id, ev as never);
        if (id === slow.assistantMessage.id && ev.some((e) => e.event === "delta")) sawSlowText();
      },
    };
    const quickDone = app.generations.start(deps as never, quick.assistantMessage.id);
    await fake.waitForRequests(fake.requests.length + 1);
    const slowDone = app.generations.start(deps as never, slow.assistantMessage.id);
    await slowText;

    // The grace is generous for the quick reply (a few chunks 20 ms apart) on a busy machine;
    // the slow one never finishes, so the drain takes the whole grace.
    const draining = app.shutdown.drain(app.generations, 3_000);
    const refused = await createReply(await app.admission(), quick.userId, quick.conv.id, "another").catch((e) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ status: 503, headers: { "Retry-After": "2" } });

    expect(await draining).toEqual({ finished: 1, stopped: 1 });
    expect((await quickDone).status).toBe("complete");
    const slowFinal = await slowDone;
    expect(slowFinal.status).toBe("interrupted");
    expect(slowFinal.content).toBe("never ");
    const row = await db.prisma.message.findUniqueOrThrow({ where: { id: slow.assistantMessage.id } });
    expect([row.status, row.content]).toEqual(["interrupted", "never "]);
    expect(app.generations.liveIds()).toEqual([]);
    await app.close();
  });
});
