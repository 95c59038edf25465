// generate-reply's retry after its worker died mid-generation, run by
// @inngest/test's engine (the real SDK execution, in-process). The first
// execution runs the real step in a "worker" whose database, bus and registry
// all go silent at once after some checkpoints (its step then fails like a
// dropped connection); the retries run the same function with attempt ≥ 1 in
// a fresh worker. In-memory PGlite, real Anthropic SDK against the fake.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { InngestTestEngine } from "@inngest/test";
import type { Context } from "inngest";
import { openDatabase, type Db, type DbHandle } from "../platform/db";
import { startFakeAnthropic, type FakeAnthropic } from "../testing/fake-anthropic";
import { GenerationRegistry } from "./registry";
import { sweepStaleReplies } from "./sweep";
import { CONTINUE_INSTRUCTION } from "./generation/continuation";
import { MemoryStreamBus } from "../stream/memory-bus";
import type { StreamBus } from "../stream/bus";
import type { StreamEvent } from "../stream/events";
import { applyEvent } from "../stream/reduce";
import type { Message } from "../chat/types";
import { generateReplyFn } from "../../inngest/functions";
import type { App } from "../app";
import { getApp, setApp } from "../runtime";
import { testApp, pendingReply } from "../testing/app";

let db: DbHandle;
let fake: FakeAnthropic;
/** One bus for every app of this file: the instances of one deployment share Redis. */
const bus = new MemoryStreamBus();
let baseApp: App;

/** An instance of the app: its own registry, this file's database and bus (unless `parts` says otherwise). */
const appWith = (env: Record<string, string> = {}, parts: Parameters<typeof testApp>[1] = {}) =>
  testApp(
    {
      LLM_PROVIDER: "anthropic",
      ANTHROPIC_API_KEY: "sk-test",
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_MODEL: "",
      CHECKPOINT_INTERVAL_MS: "300",
      RESUME_STALE_MS: "45000",
      AUTO_RESUME_ATTEMPTS: "0", // the Inngest retry's own resume; the sweep's is auto-resume.test.ts
      ...env,
    },
    { dbHandle: db, bus, ...parts },
  );

beforeAll(async () => {
  fake = await startFakeAnthropic();
  db = await openDatabase({ kind: "pglite-memory" });
  baseApp = appWith();
  setApp(baseApp);
});

afterEach(() => {
  fake.reset();
  setApp(baseApp);
});

afterAll(async () => {
  setApp(undefined);
  await db?.close();
  await fake?.close();
});

async function newReply(question?: string) {
  const assistantMessage = await pendingReply(db.prisma, question);
  await bus.open(assistantMessage, 0); // as deliverReply does
  return assistantMessage;
}

const row = (id: string) => db.prisma.message.findUniqueOrThrow({ where: { id } });

/**
 * A worker process that can die: until `kill()` its database, bus and
 * registry are the real ones; then every call into them hangs or is dropped,
 * as if the process were gone, and nothing it had in flight lands.
 */
function doomedWorker(real: Db, bus: StreamBus) {
  let dead = false;
  const hang = new Promise<never>(() => {});
  const guard = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(t, p, r) {
        const v = Reflect.get(t, p, r);
        if (p === "message") return guard(v as object);
        if (typeof v !== "function") return v;
        return (...args: unknown[]) => (dead ? hang : (v as (...a: unknown[]) => unknown).apply(t, args));
      },
    });
  const registry = new GenerationRegistry();
  let killed!: () => void;
  const died = new Promise<void>((r) => (killed = r));
  // Resolves once a checkpoint carrying text has landed in the database.
  let saved!: () => void;
  const textSaved = new Promise<void>((r) => (saved = r));
  const watched = new Proxy(real, {
    get(t, p, r) {
      if (p !== "message") return Reflect.get(t, p, r);
      return new Proxy(t.message, {
        get(mt, mp, mr) {
          if (mp !== "updateMany") return Reflect.get(mt, mp, mr);
          return async (args: Parameters<Db["message"]["updateMany"]>[0]) => {
            const res = await mt.updateMany(args);
            if (res.count === 1 && typeof args.data.content === "string" && args.data.content !== "") saved();
            return res;
          };
        },
      });
    },
  });
  return {
    db: guard(watched),
    textSaved,
    bus: {
      ...bus,
      open: bus.open.bind(bus),
      subscribe: bus.subscribe.bind(bus),
      ping: bus.ping.bind(bus),
      publish: (id: string, ev: StreamEvent[]) => void (dead || bus.publish(id, ev)),
    },
    registry,
    died,
    kill() {
      dead = true;
      killed();
    },
  };
}

/** Runs generate-reply for `messageId` as attempt `attempt`; with a worker, its step fails when the worker dies. */
function execute(messageId: string, attempt: number, worker?: ReturnType<typeof doomedWorker>) {
  const transformCtx = (raw: Context.Any): Context.Any => {
    if (!worker) return { ...raw, attempt };
    const run = raw.step.run;
    const dying = <T>(work: () => Promise<T>) =>
      Promise.race([
        work(),
        worker.died.then((): never => {
          throw new Error("worker died: connection reset");
        }),
      ]);
    return { ...raw, attempt, step: { ...raw.step, run: ((id: string, fn: () => Promise<unknown>) => run(id, () => dying(fn))) as typeof run } };
  };
  return new InngestTestEngine({ function: generateReplyFn, transformCtx }).execute({ events: [{ name: "tether/reply.generate", data: { messageId } }] });
}

/** Follows the reply on the bus from before the crash, as a browser tab would. */
async function follow(initial: Message) {
  const events: StreamEvent[] = [];
  let listeners: ((e: StreamEvent) => void)[] = [];
  await bus.subscribe(initial.id, 0, (e) => {
    events.push(e);
    listeners.forEach((l) => l(e));
  });
  const when = (test: (all: StreamEvent[]) => boolean) =>
    new Promise<void>((resolve) => {
      if (test(events)) return resolve();
      const l = () => test(events) && ((listeners = listeners.filter((x) => x !== l)), resolve());
      listeners.push(l);
    });
  const folded = () => events.reduce((m, e) => applyEvent(m, e, new Map()), initial);
  return { events, when, folded };
}

/** Runs the first attempt until some text is saved and more was sent after it, then kills its worker. */
async function crashMidReply(initial: Message, text: string) {
  const watcher = await follow(initial);
  fake.enqueue({ text, chunk: 1, delayMs: 4 });
  const worker = doomedWorker(db.prisma, bus);
  const env = { ANTHROPIC_MODEL: getApp().config.provider.model };
  setApp(appWith(env, { dbHandle: { ...db, prisma: worker.db }, bus: worker.bus as StreamBus, generations: worker.registry }));
  const first = execute(initial.id, 0, worker);
  try {
    // A checkpoint with text landed, then three more deltas went out.
    await worker.textSaved;
    const after = watcher.events.length;
    await watcher.when((all) => all.slice(after).filter((e) => e.event === "delta").length >= 3);
    worker.kill();
  } finally {
    setApp(appWith(env)); // the retry's worker: nothing live
  }
  const output = await first;
  worker.registry.stop(initial.id); // the dead process's upstream socket closes
  return { watcher, output };
}

describe("generate-reply retried after its worker died", () => {
  it("waits while the reply may be live, then resumes it byte for byte with ids past the ceiling", async () => {
    setApp(appWith({ ANTHROPIC_MODEL: "claude-haiku-4-5" })); // takes prefill
    const initial = await newReply();
    const text = "Résumé👩‍💻—données—中文—e\u0301—".repeat(12);
    const { watcher, output } = await crashMidReply(initial, text);

    expect(output.result).toBeUndefined();
    expect(String((output.error as Error | undefined)?.message)).toMatch(/worker died/);
    const dead = await row(initial.id);
    expect(dead.status).toBe("streaming");
    expect(dead.content.length).toBeGreaterThan(0);
    expect(text.startsWith(dead.content)).toBe(true);
    const sentBeforeCrash = watcher.events.at(-1)!.id;
    expect(dead.seqCeiling).toBeGreaterThanOrEqual(sentBeforeCrash);
    // The tab saw text the dead run never saved: the resumed run must take it back.
    const seenAtCrash = watcher.folded().content;
    expect(seenAtCrash.startsWith(dead.content) && seenAtCrash.length > dead.content.length).toBe(true);
    const requests = fake.requests.length;

    // Inngest retries at once: the row was saved moments ago, its owner may live.
    const early = await execute(initial.id, 1);
    expect(early.result).toBeUndefined();
    expect(String((early.error as Error | undefined)?.message)).toMatch(/may still be generating/);
    expect(await row(initial.id)).toEqual(dead);
    expect(fake.requests.length).toBe(requests);

    // Later: quiet for longer than RESUME_STALE_MS. The retry claims it and goes on.
    await db.prisma.$executeRaw`UPDATE "Message" SET "updatedAt" = now() - interval '60 seconds' WHERE id = ${initial.id}::uuid`;
    const continuation = `…suite ✓ ${randomUUID()} 🎉`;
    fake.enqueue({ text: continuation, chunk: [1, 3, 2] });
    const retry = await execute(initial.id, 2);

    const final = await row(initial.id);
    expect(retry.result).toEqual({ messageId: initial.id, ran: true, resumed: true, status: "complete", seq: final.seq, contentLength: final.content.length });
    expect(final.status).toBe("complete");
    expect(final.content).toBe(dead.content + continuation);
    expect(final.parts).toEqual([{ type: "text", text: dead.content + continuation }]);
    // Prefill (haiku 4.5): the saved text went back as the assistant turn, as Continue does.
    const sent = fake.requests.at(-1)!.body.messages;
    expect(sent.at(-1)).toMatchObject({ role: "assistant" });
    expect(JSON.stringify(sent.at(-1).content)).toContain(JSON.stringify(dead.content).slice(1, -1));

    // The tab that watched all along: ids only grow, the resumed run starts
    // above the dead run's ceiling with a snapshot, and it ends on the final text.
    await watcher.when((all) => all.some((e) => e.event === "done"));
    const ids = watcher.events.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    const resumedAt = watcher.events.findIndex((e) => e.id > sentBeforeCrash);
    expect(watcher.events[resumedAt]).toMatchObject({ id: dead.seqCeiling + 1, event: "snapshot" });
    const resumed = ids.slice(resumedAt);
    expect(resumed).toEqual(resumed.map((_, i) => dead.seqCeiling + 1 + i));
    expect(watcher.folded()).toMatchObject({ status: "complete", content: final.content, parts: final.parts });
  });

  it("continues with a 'continue' turn on models that refuse prefill, keeping the saved text exact", async () => {
    setApp(appWith({ ANTHROPIC_MODEL: "claude-sonnet-5-5" }));
    {
      const initial = await newReply();
      const text = "Words with spaces, and trailing ones too. ".repeat(10);
      const { output } = await crashMidReply(initial, text);
      expect(output.error).toBeDefined();
      const dead = await row(initial.id);
      await db.prisma.$executeRaw`UPDATE "Message" SET "updatedAt" = now() - interval '60 seconds' WHERE id = ${initial.id}::uuid`;
      fake.enqueue({ text: "Xcontinued.", chunk: 2 });

      const retry = await execute(initial.id, 1);

      expect(retry.result).toMatchObject({ ran: true, resumed: true, status: "complete" });
      const final = await row(initial.id);
      expect(final.content).toBe(dead.content + "Xcontinued.");
      const sent = fake.requests.at(-1)!.body.messages;
      expect(JSON.stringify(sent.at(-1))).toContain(CONTINUE_INSTRUCTION.slice(0, 40));
    }
  });

  it("never fights the sweep: a claimed reply looks fresh to it, a swept one is left alone", async () => {
    const claimed = await newReply();
    await db.prisma.$executeRaw`UPDATE "Message" SET status = 'streaming', seq = 7, "seqCeiling" = 1007, content = 'kept',
      parts = '[{"type":"text","text":"kept"}]'::jsonb, "updatedAt" = now() - interval '100 seconds' WHERE id = ${claimed.id}::uuid`;
    fake.enqueue({ text: " and more", end: "stall", failAfter: 4 });
    const n = fake.requests.length;
    const retry = execute(claimed.id, 1);
    await fake.waitForRequests(n + 1);
    // Another instance's sweep (it does not run this reply) right after the claim.
    expect(await sweepStaleReplies(db.prisma, { staleMs: 30_000, liveIds: [] })).toEqual({ interrupted: [], resumed: [] });
    expect((await row(claimed.id)).status).toBe("streaming");
    getApp().generations.stop(claimed.id);
    expect((await retry).result).toMatchObject({ ran: true, resumed: true, status: "interrupted" });
    expect((await row(claimed.id)).seq).toBeGreaterThan(1007);

    const swept = await newReply();
    await db.prisma.$executeRaw`UPDATE "Message" SET status = 'streaming', content = 'cut', "updatedAt" = now() - interval '100 seconds' WHERE id = ${swept.id}::uuid`;
    expect((await sweepStaleReplies(db.prisma, { staleMs: 90_000, liveIds: [] })).interrupted).toContain(swept.id);
    const before = fake.requests.length;
    const late = await execute(swept.id, 1);
    expect(late.result).toEqual({ messageId: swept.id, ran: false, reason: "not_pending", status: "interrupted" });
    expect(await row(swept.id)).toMatchObject({ status: "interrupted", content: "cut" });
    expect(fake.requests.length).toBe(before);
  });

  it("a sweep ends the streams still following the reply it interrupts", async () => {
    const initial = await newReply();
    await db.prisma
      .$executeRaw`UPDATE "Message" SET status = 'streaming', seq = 3, "seqCeiling" = 1003, "updatedAt" = now() - interval '100 seconds' WHERE id = ${initial.id}::uuid`;
    const watcher = await follow(initial);
    expect((await getApp().replyJobs.sweepStale({ staleMs: 90_000 })).interrupted).toContain(initial.id);
    await watcher.when((all) => all.some((e) => e.event === "done"));
    expect(watcher.events).toEqual([{ id: 1004, event: "done", data: { message: expect.objectContaining({ id: initial.id, status: "interrupted" }) } }]);
  });

  it("a retry of a reply still generating in this process waits for it instead of starting another", async () => {
    const initial = await newReply();
    fake.enqueue({ text: "slow but alive", chunk: 2, delayMs: 20 });
    const n = fake.requests.length;
    const first = execute(initial.id, 0);
    await fake.waitForRequests(n + 1);
    const retry = await execute(initial.id, 1);
    expect(retry.result).toMatchObject({ ran: true, status: "complete", contentLength: "slow but alive".length });
    expect(retry.result).not.toHaveProperty("resumed");
    expect(fake.requests.length).toBe(n + 1);
    await first;
  });
});
