import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { openDatabase, type DbHandle } from "./db";
import { startFakeAnthropic, type FakeAnthropic } from "../testing/fake-anthropic";
import { createReply } from "../reply/admission";
import { GenerationRegistry } from "../reply/registry";
import { AnthropicProvider } from "../llm/anthropic";
import { Shutdown } from "./shutdown";
import { AppError } from "../errors";
import { testAdmission, testConfig } from "../testing/app";

let db: DbHandle;
let fake: FakeAnthropic;

beforeAll(async () => {
  fake = await startFakeAnthropic();
  db = await openDatabase({ kind: "pglite-memory" });
});
afterAll(async () => {
  await db.close();
  await fake.close();
});

async function pending(content: string) {
  const userId = randomUUID();
  await db.prisma.user.create({ data: { id: userId } });
  const conv = await db.prisma.conversation.create({ data: { userId, title: "t" } });
  return { userId, conv, ...(await createReply(testAdmission(db.prisma), userId, conv.id, content)) };
}

describe("graceful shutdown", () => {
  it("lets quick replies finish, stops and saves the rest, and refuses new ones meanwhile", async () => {
    const registry = new GenerationRegistry();
    const provider = new AnthropicProvider({ apiKey: "k", baseURL: fake.url, model: "claude-haiku-4-5" });
    const quick = await pending("quick");
    const slow = await pending("slow");
    fake.enqueue({ text: "done in time ✓", delayMs: 20, chunk: 2 }, { text: "never finishes…", end: "stall", failAfter: 6, chunk: 1 });
    let sawSlowText!: () => void;
    const slowText = new Promise<void>((r) => (sawSlowText = r));
    const { reply } = testConfig();
    const deps = {
      db: db.prisma,
      provider,
      checkpointMs: reply.checkpointMs,
      finalSaveRetryMs: reply.finalSaveRetryMs,
      idleTimeoutMs: reply.idleTimeoutMs,
      maxToolSteps: 0,
      publish: (id: string, ev: { event: string }[]) => {
        if (id === slow.assistantMessage.id && ev.some((e) => e.event === "delta")) sawSlowText();
      },
    };
    const quickDone = registry.start(deps as never, quick.assistantMessage.id);
    await fake.waitForRequests(fake.requests.length + 1);
    const slowDone = registry.start(deps as never, slow.assistantMessage.id);
    await slowText;

    const shutdown = new Shutdown();
    const draining = shutdown.drain(registry, 600);
    const refused = await createReply(testAdmission(db.prisma, { shutdown }), quick.userId, quick.conv.id, "another").catch((e) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ status: 503, headers: { "Retry-After": "2" } });

    expect(await draining).toEqual({ finished: 1, stopped: 1 });
    expect((await quickDone).status).toBe("complete");
    const slowFinal = await slowDone;
    expect(slowFinal.status).toBe("interrupted");
    expect(slowFinal.content).toBe("never ");
    const row = await db.prisma.message.findUniqueOrThrow({ where: { id: slow.assistantMessage.id } });
    expect([row.status, row.content]).toEqual(["interrupted", "never "]);
  });
});
