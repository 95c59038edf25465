// Stop across instances through Redis: the instance running a generation
// stops it on a request published elsewhere; a stop issued where the
// generation is not running waits for the owner's final message.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { createClient } from "redis";
import { openDatabase, type DbHandle } from "../platform/db";
import { startFakeAnthropic, type FakeAnthropic } from "../testing/fake-anthropic";
import { createReply } from "../reply/admission";
import { stopReply } from "../reply/stop";
import { AnthropicProvider } from "../llm/anthropic";
import { RedisStreamBus } from "./redis-bus";
import { RedisControl } from "./control";
import type { App } from "../app";
import { toMessage } from "../chat/conversations";
import { testAdmission, testApp, testConfig } from "../testing/app";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
let db: DbHandle;
let fake: FakeAnthropic;
let app: App;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  fake = await startFakeAnthropic();
  db = await openDatabase({ kind: "pglite-memory" });
  app = testApp({ REDIS_URL, REMOTE_STOP_WAIT_MS: "400" }, { dbHandle: db });
  await (app.control as RedisControl).listen();
});

afterAll(async () => {
  for (const c of closers) await c();
  await app.close();
  await db.close();
  await fake.close();
});

async function pendingReply() {
  const userId = randomUUID();
  await db.prisma.user.create({ data: { id: userId } });
  const conv = await db.prisma.conversation.create({ data: { userId, title: "t" } });
  return createReply(testAdmission(db.prisma), userId, conv.id, "hello");
}

describe("reply control over Redis", () => {
  it("stops a generation here when another instance publishes the request", async () => {
    const { assistantMessage } = await pendingReply();
    fake.enqueue({ text: "partial then a long silence", chunk: 1, end: "stall", failAfter: 7 });
    const provider = new AnthropicProvider({ apiKey: "k", baseURL: fake.url, model: "claude-haiku-4-5" });
    const bus = app.bus;
    await bus.open(assistantMessage, 0);
    let firstText!: () => void;
    const textSeen = new Promise<void>((r) => (firstText = r));
    const { reply } = testConfig();
    const done = app.generations.start(
      {
        db: db.prisma,
        provider,
        publish: (id, ev) => (bus.publish(id, ev), ev.some((e) => e.event === "delta") && firstText()),
        checkpointMs: reply.checkpointMs,
        finalSaveRetryMs: reply.finalSaveRetryMs,
        idleTimeoutMs: reply.idleTimeoutMs,
        maxToolSteps: 0,
      },
      assistantMessage.id,
    );
    await textSeen;
    // "Instance B": a plain Redis client publishing on the control channel.
    const other = createClient({ url: REDIS_URL });
    await other.connect();
    closers.push(() => other.close());
    await other.publish("tether:control", JSON.stringify({ type: "stop", messageId: assistantMessage.id }));
    const final = await done;
    expect(final.status).toBe("interrupted");
    expect("partial then a long silence".startsWith(final.content)).toBe(true);
    expect(final.content.length).toBeGreaterThan(0);
  });

  it("a stop issued where the reply is not running returns the owner's final message", async () => {
    const { assistantMessage } = await pendingReply();
    await db.prisma.message.update({ where: { id: assistantMessage.id }, data: { status: "streaming", seq: 4 } });
    // "Instance B" owns the generation: on a stop request it ends the reply.
    const busB = new RedisStreamBus(REDIS_URL);
    closers.push(() => busB.close());
    await busB.open(assistantMessage, 4);
    const listener = createClient({ url: REDIS_URL });
    await listener.connect();
    closers.push(() => listener.close());
    const finalB = { ...assistantMessage, status: "interrupted" as const, content: "from B" };
    await listener.subscribe("tether:control", (raw) => {
      const msg = JSON.parse(raw);
      if (msg.messageId !== assistantMessage.id) return;
      void db.prisma.message
        .update({ where: { id: assistantMessage.id }, data: { status: "interrupted", content: "from B", seq: 5 } })
        .then(() => busB.publish(assistantMessage.id, [{ id: 5, event: "done", data: { message: finalB } }]));
    });
    const stopped = await stopReply(await app.stopping(), assistantMessage.id);
    expect(stopped).toMatchObject({ id: assistantMessage.id, status: "interrupted", content: "from B" });
  });

  it("a reply whose owner is gone is marked interrupted after a short wait", async () => {
    const { assistantMessage } = await pendingReply();
    await db.prisma.message.update({ where: { id: assistantMessage.id }, data: { status: "streaming", seq: 2, seqCeiling: 900, content: "kept" } });
    const stopped = await stopReply(await app.stopping(), assistantMessage.id);
    expect(stopped).toMatchObject({ status: "interrupted", content: "kept" });
    const row = await db.prisma.message.findUniqueOrThrow({ where: { id: assistantMessage.id } });
    expect(row.seq).toBe(901);
    expect(toMessage(row).status).toBe("interrupted");
  });
});
