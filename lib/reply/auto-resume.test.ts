// Auto-resume (docs/PROTOCOL.md §5.5): the sweep continues a reply that a
// crash or a shutdown cut short, through the same hand-over and generation as
// Continue, at most AUTO_RESUME_ATTEMPTS times; a user's Stop, a failed reply
// and a draining instance are never resumed. A dead run is left as a killed
// process leaves it (generating, quiet, ids reserved past what was saved);
// the real kill is e2e/auto-resume.spec.ts. On both databases (the claim is
// one conditional UPDATE), the real Anthropic SDK against the fake, one memory
// bus shared by the instances.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../platform/db";
import { bothDatabases, useDatabase } from "../testing/databases";
import { startFakeAnthropic, type FakeAnthropic } from "../testing/fake-anthropic";
import { MemoryStreamBus } from "../stream/memory-bus";
import type { StreamBus } from "../stream/bus";
import type { StreamEvent } from "../stream/events";
import { applyEvent } from "../stream/reduce";
import type { App } from "../app";
import { testApp, pendingReply, testAdmission } from "../testing/app";
import { shutdownStoppedIds } from "./lifecycle";
import { SHUTDOWN_STOP } from "./status";
import { continueReply } from "./admission";
import { updateSettings } from "../chat/settings";
import type { Message } from "../chat/types";
import type { UserEvent } from "../events/types";

let db: DbHandle;
let fake: FakeAnthropic;
const bus = new MemoryStreamBus();
const apps: App[] = [];

/** An instance over this file's database and bus; prefill model, so the saved text goes back as the assistant turn. */
function instance(env: Record<string, string> = {}, streams: StreamBus = bus): App {
  const app = testApp(
    {
      LLM_PROVIDER: "anthropic",
      ANTHROPIC_API_KEY: "sk-test",
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_MODEL: "claude-haiku-4-5",
      CONVERSATION_TITLES: "off",
      REDIS_URL: "",
      AUTO_RESUME_ATTEMPTS: "2",
      ...env,
    },
    { dbHandle: db, bus: streams },
  );
  apps.push(app);
  return app;
}

beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterEach(async () => {
  fake.reset();
  for (const app of apps.splice(0)) {
    for (const id of app.generations.liveIds()) await app.generations.stop(id);
    await app.close();
  }
});
afterAll(async () => {
  await fake?.close();
});

const KEPT = "Kept — données 中文 👩‍💻 e\u0301 data: not an event\n\nid: 9";
const row = (id: string) => db.prisma.message.findUniqueOrThrow({ where: { id } });

/** A reply as a process killed mid-stream leaves it: streaming, quiet for 100 s, ids reserved to 1007, 7 saved. */
async function deadReply(): Promise<Message> {
  const m = await pendingReply(db.prisma);
  const parts = JSON.stringify([{ type: "text", text: KEPT }]);
  await db.prisma.$executeRaw`UPDATE "Message" SET status = 'streaming', seq = 7, "seqCeiling" = 1007, content = ${KEPT},
    parts = ${parts}::jsonb, "updatedAt" = now() - interval '100 seconds' WHERE id = ${m.id}::uuid`;
  return m;
}

/** Every event of the reply's log after `after`, once the run has ended (the log is kept after `done`). */
async function eventsAfter(id: string, after: number): Promise<StreamEvent[]> {
  const sub = await bus.subscribe(id, after, () => {});
  sub.close();
  if (sub.start.kind !== "replay") throw new Error(`expected a replay, got ${sub.start.kind}`);
  return sub.start.events;
}

describe.each(bothDatabases("auto_resume"))("auto-resume on %s", (_name, open, dispose) => {
  const handle = useDatabase(open, dispose);
  beforeAll(() => {
    db = handle();
  });

  it("continues a dead run's reply from its saved text, byte for byte, with ids above every id the dead run could have sent", async () => {
    const app = instance({ STALE_REPLY_MS: "60000" });
    const heard: UserEvent[] = [];
    const reply = await deadReply();
    const userId = (await db.prisma.conversation.findUniqueOrThrow({ where: { id: reply.conversationId } })).userId;
    await app.events.subscribe(userId, null, (e) => heard.push(e));
    const continuation = " …and the rest ✓ 🎉";
    fake.enqueue({ text: continuation, chunk: [1, 3, 2] });

    const outcome = await app.replyJobs.sweepStale();

    expect(outcome).toEqual({ interrupted: [], resumed: [reply.id] });
    // Resuming at once, visible to anyone who looks; the generation runs here now.
    expect(app.generations.isLive(reply.id)).toBe(true);
    const done = await app.generations.whenDone(reply.id)!;
    const final = await row(reply.id);
    expect(done.status).toBe("complete");
    expect(final).toMatchObject({ status: "complete", content: KEPT + continuation, resumeAttempts: 1 });
    expect(final.parts).toEqual([{ type: "text", text: KEPT + continuation }]);
    // The saved text went back as the assistant turn (prefill), as Continue sends it.
    const sent = fake.requests.at(-1)!.body.messages;
    expect(sent.at(-1)).toMatchObject({ role: "assistant" });
    expect(JSON.stringify(sent.at(-1).content)).toContain(JSON.stringify(KEPT.trimEnd()).slice(1, -1));

    // The stream: a snapshot of the saved state as `resuming` right above the ceiling, then consecutive ids to `done`.
    const events = await eventsAfter(reply.id, 1007);
    expect(events[0]).toMatchObject({ id: 1008, event: "snapshot", data: { message: { status: "resuming", content: KEPT } } });
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => 1008 + i));
    expect(events.at(-1)).toMatchObject({ event: "done", data: { message: { status: "complete", content: KEPT + continuation } } });
    expect(final.seq).toBe(events.at(-1)!.id);
    // A tab that reconnects with an id of the dead run's (5) the log never held: it is
    // sent to the database, which has the whole reply now, as a reload reads it.
    const tab = (await bus.subscribe(reply.id, 5, () => {})).start;
    expect(tab.kind).toBe("unknown");
    const folded = events.reduce((m, e) => applyEvent(m, e, new Map()), { ...reply, content: "junk the dead run sent", parts: [] } as Message);
    expect(folded).toMatchObject({ status: "complete", content: KEPT + continuation });
    // The owner's other tabs heard that it started again, and how it ended.
    expect(heard.map((e) => e.event)).toEqual(["reply.started", "reply.ended"]);
    expect(heard[0].data).toEqual({ conversationId: reply.conversationId, messageId: reply.id });
  });

  it("resumes a reply a shutdown stopped, and never one the user stopped or one that failed", async () => {
    const draining = instance();
    const cut = await pendingReply(db.prisma);
    fake.enqueue({ text: "x".repeat(400), chunk: 2, delayMs: 5 });
    const run = draining.generations.start(await draining.generationDeps(), cut.id);
    await expect.poll(async () => (await row(cut.id)).content.length, { timeout: 20_000 }).toBeGreaterThan(0);
    await draining.generations.stop(cut.id, SHUTDOWN_STOP);
    expect(await run).toMatchObject({ status: "interrupted", metadata: { stopReason: "shutdown" } });

    const stopped = await pendingReply(db.prisma);
    fake.enqueue({ text: "y".repeat(400), chunk: 2, delayMs: 5 });
    const userRun = draining.generations.start(await draining.generationDeps(), stopped.id);
    await expect.poll(async () => (await row(stopped.id)).content.length, { timeout: 20_000 }).toBeGreaterThan(0);
    await draining.generations.stop(stopped.id);
    expect(await userRun).toMatchObject({ status: "interrupted", metadata: { stopReason: "stopped" } });
    const failed = await deadReply();
    await db.prisma.message.update({ where: { id: failed.id }, data: { status: "failed" } });

    // The draining instance resumes nothing; the next one does.
    draining.shutdown.begin();
    expect(await draining.replyJobs.sweepStale()).toEqual({ interrupted: [], resumed: [] });
    const next = instance();
    const saved = (await row(cut.id)).content;
    fake.enqueue({ text: " resumed." });
    expect(await next.replyJobs.sweepStale()).toEqual({ interrupted: [], resumed: [cut.id] });
    expect(await next.generations.whenDone(cut.id)!).toMatchObject({ status: "complete", content: saved + " resumed." });
    expect(await row(stopped.id)).toMatchObject({ status: "interrupted", resumeAttempts: 0 });
    expect(await row(failed.id)).toMatchObject({ status: "failed", resumeAttempts: 0 });
    expect(await next.replyJobs.sweepStale()).toEqual({ interrupted: [], resumed: [] });
  });

  it("gives up after AUTO_RESUME_ATTEMPTS: the reply waits for Continue, which starts the count again", async () => {
    const app = instance({ AUTO_RESUME_ATTEMPTS: "1", STALE_REPLY_MS: "60000" });
    const reply = await deadReply();
    fake.enqueue({ text: "never ends", end: "stall", failAfter: 3 });
    expect((await app.replyJobs.sweepStale()).resumed).toEqual([reply.id]);
    await fake.waitForRequests(1);
    // That run dies too (its process is gone: nothing live here any more), quiet for long.
    app.generations.stop(reply.id)?.catch(() => {});
    await app.generations.whenDone(reply.id)?.catch(() => {});
    await db.prisma.$executeRaw`UPDATE "Message" SET status = 'streaming', "updatedAt" = now() - interval '100 seconds' WHERE id = ${reply.id}::uuid`;
    const ceiling = (await row(reply.id)).seqCeiling;

    expect(await app.replyJobs.sweepStale()).toEqual({ interrupted: [reply.id], resumed: [] });
    const swept = await row(reply.id);
    expect(swept).toMatchObject({ status: "interrupted", resumeAttempts: 1 });
    expect(swept.seq).toBe(ceiling + 1);

    // The user's Continue: the server may resume it again later.
    const owner = (await db.prisma.conversation.findUniqueOrThrow({ where: { id: reply.conversationId } })).userId;
    await continueReply(testAdmission(db.prisma), owner, reply.id);
    expect(await row(reply.id)).toMatchObject({ status: "pending", resumeAttempts: 0 });
  });

  it("is off with AUTO_RESUME_ATTEMPTS=0: a dead run's reply is marked interrupted, as before", async () => {
    const app = instance({ AUTO_RESUME_ATTEMPTS: "0", STALE_REPLY_MS: "60000" });
    const reply = await deadReply();
    expect(await app.replyJobs.sweepStale()).toEqual({ interrupted: [reply.id], resumed: [] });
    expect(await row(reply.id)).toMatchObject({ status: "interrupted", seq: 1008, resumeAttempts: 0, content: KEPT });
    expect(fake.requests).toHaveLength(0);
  });

  it("a user who turned it off in settings gets the old behaviour; other users' replies still resume", async () => {
    const app = instance({ STALE_REPLY_MS: "60000" });
    const theirs = await deadReply();
    const owner = (await db.prisma.conversation.findUniqueOrThrow({ where: { id: theirs.conversationId } })).userId;
    await updateSettings(db.prisma, owner, { autoResume: false });
    const others = await deadReply();
    // And one of theirs a shutdown stopped: not even offered to the claim.
    const drained = await deadReply();
    await db.prisma.conversation.update({ where: { id: drained.conversationId }, data: { userId: owner } });
    await db.prisma.message.update({ where: { id: drained.id }, data: { status: "interrupted", metadata: { stopReason: SHUTDOWN_STOP } } });
    expect(await shutdownStoppedIds(db.prisma, 2)).not.toContain(drained.id);
    fake.setScenario({ text: " more." });

    const outcome = await app.replyJobs.sweepStale();
    // Taken at once: this short reply may end (and leave the registry) while the rows below are read.
    const othersDone = app.generations.whenDone(others.id);

    expect(outcome).toEqual({ interrupted: [theirs.id], resumed: [others.id] });
    expect(await row(theirs.id)).toMatchObject({ status: "interrupted", resumeAttempts: 0, content: KEPT });
    expect(await row(drained.id)).toMatchObject({ status: "interrupted", resumeAttempts: 0, content: KEPT });
    expect(await othersDone!).toMatchObject({ status: "complete", content: KEPT + " more." });
    // Turned on again: the shutdown's reply is offered and resumed at the next sweep.
    await updateSettings(db.prisma, owner, { autoResume: true });
    expect(await shutdownStoppedIds(db.prisma, 2)).toContain(drained.id);
    expect(await app.replyJobs.sweepStale()).toEqual({ interrupted: [], resumed: [drained.id] });
    expect(await app.generations.whenDone(drained.id)!).toMatchObject({ status: "complete", content: KEPT + " more." });
  });

  it("a resumed run that died is swept interrupted without the earlier shutdown's reason: never resumed later by it", async () => {
    const app = instance({ STALE_REPLY_MS: "60000" });
    const reply = await deadReply();
    // Quiet for 100 s, as deadReply() leaves it (a Prisma update would touch updatedAt).
    const metadata = JSON.stringify({ model: "m", stopReason: SHUTDOWN_STOP });
    await db.prisma.$executeRaw`UPDATE "Message" SET status = 'resuming', "resumeAttempts" = 1, metadata = ${metadata}::jsonb,
      "updatedAt" = now() - interval '100 seconds' WHERE id = ${reply.id}::uuid`;
    const owner = (await db.prisma.conversation.findUniqueOrThrow({ where: { id: reply.conversationId } })).userId;
    await updateSettings(db.prisma, owner, { autoResume: false });

    expect(await app.replyJobs.sweepStale()).toEqual({ interrupted: [reply.id], resumed: [] });
    expect(await row(reply.id)).toMatchObject({ status: "interrupted", content: KEPT, metadata: { model: "m", stopReason: null } });
    // Turned on again: nothing of it reads as a shutdown's reply.
    await updateSettings(db.prisma, owner, { autoResume: true });
    expect(await shutdownStoppedIds(db.prisma, 2)).not.toContain(reply.id);
    expect(await app.replyJobs.sweepStale()).toEqual({ interrupted: [], resumed: [] });
    expect(fake.requests).toHaveLength(0);
  });

  it("a reply whose log cannot open stays resuming for a later sweep; the sweep goes on with the others", async () => {
    const stuck = await deadReply();
    const fine = await deadReply();
    const flaky: StreamBus = {
      open: async (m, id) => (m.id === stuck.id ? Promise.reject(new Error("bus down")) : bus.open(m, id)),
      publish: (id, ev) => bus.publish(id, ev),
      subscribe: (id, after, on) => bus.subscribe(id, after, on),
      ping: () => bus.ping(),
    };
    const app = instance({ STALE_REPLY_MS: "60000" }, flaky);
    fake.setScenario({ text: " on." });

    const outcome = await app.replyJobs.sweepStale();

    expect(outcome.resumed.sort()).toEqual([stuck.id, fine.id].sort());
    expect(await app.generations.whenDone(fine.id)!).toMatchObject({ status: "complete", content: KEPT + " on." });
    expect(app.generations.isLive(stuck.id)).toBe(false);
    expect(await row(stuck.id)).toMatchObject({ status: "resuming", resumeAttempts: 1, content: KEPT });
  });

  it("two instances sweeping at once resume a reply once", async () => {
    const a = instance({ STALE_REPLY_MS: "60000" });
    const b = instance({ STALE_REPLY_MS: "60000" });
    const reply = await deadReply();
    fake.setScenario({ text: " once." });
    const [ra, rb] = await Promise.all([a.replyJobs.sweepStale(), b.replyJobs.sweepStale()]);
    expect([...ra.resumed, ...rb.resumed]).toEqual([reply.id]);
    expect([...ra.interrupted, ...rb.interrupted]).toEqual([]);
    const runner = ra.resumed.length ? a : b;
    expect(await runner.generations.whenDone(reply.id)!).toMatchObject({ status: "complete", content: KEPT + " once." });
    expect(fake.requests).toHaveLength(1);
    expect((await row(reply.id)).resumeAttempts).toBe(1);
  });
});
