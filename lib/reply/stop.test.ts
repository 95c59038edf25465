// Stop on one instance (docs/PROTOCOL.md §5.3): a live generation here, an
// orphan whose process died, a finished reply, an unknown id, and every
// generating reply of a conversation. Stop across instances over Redis is in
// lib/stream/control.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { openDatabase, type DbHandle } from "../platform/db";
import { startFakeAnthropic, type FakeAnthropic } from "../testing/fake-anthropic";
import { AnthropicProvider } from "../llm/anthropic";
import { createReply } from "./admission";
import { stopConversationReplies, stopReply } from "./stop";
import { shutdownStoppedIds } from "./lifecycle";
import { SHUTDOWN_STOP } from "./status";
import type { App } from "../app";
import type { StreamEvent } from "../stream/events";
import { testAdmission, testApp, testConfig } from "../testing/app";

let db: DbHandle;
let fake: FakeAnthropic;
let app: App;

beforeAll(async () => {
  [db, fake] = await Promise.all([openDatabase({ kind: "pglite-memory" }), startFakeAnthropic()]);
  // One instance, no Redis: Stop must never wait for another instance (an hour
  // here, so a wait shows as a test timeout).
  app = testApp({ REMOTE_STOP_WAIT_MS: "3600000" }, { dbHandle: db });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
  await fake?.close();
});

async function conversation(userId = randomUUID()) {
  await db.prisma.user.upsert({ where: { id: userId }, create: { id: userId }, update: {} });
  return db.prisma.conversation.create({ data: { userId, title: "t" } });
}
async function pending(conversationId: string, userId: string) {
  return (await createReply(testAdmission(db.prisma), userId, conversationId, "hello")).assistantMessage;
}
/** Starts a generation here that streams a little and then stalls; resolves once text arrived, with the run's end. */
async function startStalling(messageId: string) {
  fake.enqueue({ text: "partial, then silence", chunk: 1, end: "stall", failAfter: 7 });
  const provider = new AnthropicProvider({ apiKey: "k", baseURL: fake.url, model: "claude-haiku-4-5" });
  const { reply } = testConfig();
  let text!: () => void;
  const textSeen = new Promise<void>((r) => (text = r));
  const done = app.generations.start(
    {
      db: db.prisma,
      provider,
      publish: (id, ev) => void (app.bus.publish(id, ev), ev.some((e) => e.event === "delta") && text()),
      checkpointMs: reply.checkpointMs,
      finalSaveRetryMs: reply.finalSaveRetryMs,
      idleTimeoutMs: 60_000,
      maxToolSteps: 0,
    },
    messageId,
  );
  await textSeen;
  return { done };
}
/** Follows a reply on the bus; resolves with its `done` event. */
async function followDone(messageId: string) {
  let got!: (e: StreamEvent) => void;
  const done = new Promise<StreamEvent>((r) => (got = r));
  const sub = await app.bus.subscribe(messageId, null, (e) => e.event === "done" && got(e));
  return { done, close: () => sub.close() };
}

describe("stopReply on one instance", () => {
  it("aborts a generation running here and returns its saved partial, interrupted", async () => {
    const c = await conversation();
    const reply = await pending(c.id, c.userId);
    await app.bus.open(reply, 0);
    const { done: running } = await startStalling(reply.id);
    const stopped = await stopReply(await app.stopping(), reply.id);
    expect(stopped).toMatchObject({ id: reply.id, status: "interrupted" });
    expect(stopped.content.length).toBeGreaterThan(0);
    expect("partial, then silence".startsWith(stopped.content)).toBe(true);
    expect(await running).toEqual(stopped);
    const row = await db.prisma.message.findUniqueOrThrow({ where: { id: reply.id } });
    expect([row.status, row.content]).toEqual(["interrupted", stopped.content]);
  });

  it("marks an orphan interrupted above its id ceiling, keeps its text, and ends the streams following it; the user stopped it, so it is never resumed", async () => {
    const c = await conversation();
    const reply = await pending(c.id, c.userId);
    // The orphan of a resumed run: its saved reason is the earlier shutdown's (docs/PROTOCOL.md §5.5).
    await db.prisma.message.update({
      where: { id: reply.id },
      data: { status: "resuming", seq: 3, seqCeiling: 1003, content: "kept é👍", metadata: { model: "m", stopReason: SHUTDOWN_STOP } },
    });
    await app.bus.open({ ...reply, status: "streaming", content: "kept é👍" }, 3);
    const follower = await followDone(reply.id);
    const stopped = await stopReply(await app.stopping(), reply.id);
    expect(stopped).toMatchObject({ id: reply.id, status: "interrupted", content: "kept é👍", metadata: { model: "m", stopReason: "stopped" } });
    expect(await shutdownStoppedIds(db.prisma, 5)).not.toContain(reply.id);
    const done = await follower.done;
    expect(done).toEqual({ id: 1004, event: "done", data: { message: stopped } });
    follower.close();
  });

  it("returns a finished reply as it is, and answers not_found for an unknown id", async () => {
    const c = await conversation();
    const reply = await pending(c.id, c.userId);
    await db.prisma.message.update({ where: { id: reply.id }, data: { status: "complete", seq: 9, content: "all done" } });
    const before = await db.prisma.message.findUniqueOrThrow({ where: { id: reply.id } });
    expect(await stopReply(await app.stopping(), reply.id)).toMatchObject({ status: "complete", content: "all done" });
    expect(await db.prisma.message.findUniqueOrThrow({ where: { id: reply.id } })).toEqual(before);
    await expect(stopReply(await app.stopping(), randomUUID())).rejects.toMatchObject({ code: "not_found", message: "message not found" });
  });
});

describe("stopReply of a finished reply", () => {
  it("asks no other instance and announces nothing: it returns the saved reply (distributed control recorded)", async () => {
    const c = await conversation();
    const reply = await pending(c.id, c.userId);
    await db.prisma.message.update({ where: { id: reply.id }, data: { status: "complete", seq: 4, content: "finished ✓" } });
    const s = await app.stopping();
    const asked: string[] = [];
    const published: string[] = [];
    const control = { distributed: true, requestStop: async (id: string) => void asked.push(id), close: async () => {} } as unknown as typeof s.control;
    const bus = Object.assign(Object.create(s.bus) as typeof s.bus, {
      publish: (id: string, events: StreamEvent[]) => {
        published.push(id);
        return s.bus.publish(id, events);
      },
    });
    expect(await stopReply({ ...s, control, bus }, reply.id)).toMatchObject({ id: reply.id, status: "complete", content: "finished ✓" });
    expect({ asked, published }).toEqual({ asked: [], published: [] });
  });
});

describe("stopConversationReplies", () => {
  it("stops every generating reply of the user's conversation, and nothing of another user's", async () => {
    const c = await conversation();
    const running = await pending(c.id, c.userId);
    await app.bus.open(running, 0);
    await startStalling(running.id);
    // A second reply of the same conversation, left generating by a dead process.
    const orphan = await db.prisma.message.create({ data: { conversationId: c.id, role: "assistant", status: "pending" } });
    const other = await conversation();
    const othersReply = await pending(other.id, other.userId);
    await stopConversationReplies(await app.stopping(), other.userId, c.id); // not their conversation
    expect((await db.prisma.message.findUniqueOrThrow({ where: { id: orphan.id } })).status).toBe("pending");
    expect(app.generations.isLive(running.id)).toBe(true);
    await stopConversationReplies(await app.stopping(), c.userId, c.id);
    const statuses = await db.prisma.message.findMany({ where: { id: { in: [running.id, orphan.id, othersReply.id] } }, select: { id: true, status: true } });
    expect(Object.fromEntries(statuses.map((s) => [s.id, s.status]))).toEqual({ [running.id]: "interrupted", [orphan.id]: "interrupted", [othersReply.id]: "pending" });
    expect(app.generations.isLive(running.id)).toBe(false);
  });
});
