// The served Inngest endpoint, driven the way an Inngest server drives it
// (no server can run here): INNGEST_DEV=1 turns off request signing, so
// unsigned requests sync and execute the functions. Real generation on an
// in-memory PGlite, real Anthropic SDK against the fake server.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createHash, randomUUID } from "node:crypto";
import { openDatabase, type Db, type DbHandle } from "@/lib/platform/db";
import type { App } from "@/lib/app";
import { setApp } from "@/lib/runtime";
import { testApp, pendingReply } from "@/lib/testing/app";
import { startFakeAnthropic, type FakeAnthropic } from "@/lib/testing/fake-anthropic";

type Route = typeof import("./route");
let route: Route;
let db: DbHandle;
let fake: FakeAnthropic;
let app: App;
const appOn = (handle: DbHandle) => testApp({ LLM_PROVIDER: "anthropic", ANTHROPIC_API_KEY: "sk-test", ANTHROPIC_BASE_URL: fake.url }, { dbHandle: handle });

beforeAll(async () => {
  // The SDK reads its env when the client and serve handler are created.
  vi.stubEnv("INNGEST_DEV", "1");
  vi.stubEnv("INNGEST_SIGNING_KEY", "");
  fake = await startFakeAnthropic();
  db = await openDatabase({ kind: "pglite-memory" });
  app = appOn(db);
  setApp(app);
  route = await import("./route");
});

afterAll(async () => {
  setApp(undefined);
  await app?.close();
  vi.unstubAllEnvs();
  await db?.close();
  await fake?.close();
});

async function newReply(content?: string) {
  return (await pendingReply(db.prisma, content)).id;
}

const row = (id: string) => db.prisma.message.findUniqueOrThrow({ where: { id } });
const URL_BASE = "http://localhost/api/inngest";
/** Step ids on the wire are SHA-1 hex of the step's own id. */
const stepHash = (id: string) => createHash("sha1").update(id).digest("hex");

type Op = { id: string; op: string; name: string; data?: unknown; error?: { message: string } };

/** One execution request, exactly as Inngest sends it (unsigned in dev mode). */
function execute(fnId: string, name: string, data: Record<string, unknown>, opts: { steps?: Record<string, unknown>; attempt?: number; runId?: string } = {}) {
  const event = { name, data, id: randomUUID(), ts: Date.now() };
  const steps = opts.steps ?? {};
  const body = {
    event,
    events: [event],
    steps, // memoized step results: { [sha1(stepId)]: { type: "data", data } }
    ctx: {
      run_id: opts.runId ?? `run-${randomUUID()}`,
      attempt: opts.attempt ?? 0,
      disable_immediate_execution: false,
      use_api: false,
      stack: { stack: Object.keys(steps), current: Object.keys(steps).length },
    },
    version: 2,
  };
  return route.POST(
    new Request(`${URL_BASE}?fnId=${encodeURIComponent(fnId)}&stepId=step`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }) as never,
    undefined,
  );
}

describe("/api/inngest", () => {
  it("builds no app and opens no database when imported (next build imports route modules)", async () => {
    const processState = () => (globalThis as unknown as Record<symbol, Record<string, unknown> | undefined>)[Symbol.for("tether.process")];
    setApp(undefined);
    try {
      vi.resetModules();
      const fresh = await import("./route");
      expect(typeof fresh.POST).toBe("function");
      expect(processState()?.app).toBeUndefined();
    } finally {
      setApp(app);
    }
  });

  it("introspects in dev mode with the five functions", async () => {
    const res = await route.GET(new Request(URL_BASE) as never, undefined);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ mode: "dev", function_count: 5, has_signing_key: false });
  });

  it("syncs the five functions in band, with their triggers and limits", async () => {
    const res = await route.PUT(
      new Request(URL_BASE, {
        method: "PUT",
        headers: { "content-type": "application/json", "x-inngest-sync-kind": "in_band" },
        body: JSON.stringify({ url: URL_BASE }),
      }) as never,
      undefined,
    );
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.app_id).toBe("tether");
    const fns = Object.fromEntries(body.functions.map((f: { id: string }) => [f.id, f]));
    expect(Object.keys(fns).sort()).toEqual([
      "tether-generate-reply",
      "tether-generate-title",
      "tether-persist-reply",
      "tether-purge-idle-guests",
      "tether-sweep-stale-replies",
    ]);
    expect(fns["tether-generate-reply"]).toMatchObject({
      triggers: [{ event: "tether/reply.generate" }],
      concurrency: { limit: 1, key: "event.data.messageId" },
    });
    expect(fns["tether-persist-reply"].triggers).toEqual([{ event: "tether/reply.persist" }]);
    expect(fns["tether-sweep-stale-replies"].triggers).toEqual([{ cron: "* * * * *" }]);
    expect(fns["tether-purge-idle-guests"].triggers).toEqual([{ cron: "*/10 * * * *" }]);
    expect(fns["tether-generate-title"]).toMatchObject({
      triggers: [{ event: "tether/conversation.title" }],
      concurrency: { limit: 1, key: "event.data.conversationId" },
    });
  });

  it("runs a generate event: the step generates the reply (206), the next call finishes the run (200)", async () => {
    const id = await newReply();
    const text = `Served ✓ 世界 👩‍💻 e\u0301\ndata: x\n\nid: 3\n${randomUUID()}`;
    fake.enqueue({ text, chunk: [2, 1, 4] });
    const before = fake.requests.length;

    const res = await execute("tether-generate-reply", "tether/reply.generate", { messageId: id });

    expect(res.status).toBe(206);
    const ops: Op[] = await res.json();
    const saved = await row(id);
    expect(ops).toHaveLength(1);
    expect(ops[0]).toMatchObject({
      id: stepHash("generate"),
      op: "StepRun",
      name: "generate",
      data: { messageId: id, ran: true, status: "complete", seq: saved.seq, contentLength: text.length },
    });
    expect(saved).toMatchObject({ status: "complete", content: text });
    expect(fake.requests.length).toBe(before + 1);

    // Inngest calls again with the step's result memoized: nothing reruns.
    const done = await execute(
      "tether-generate-reply",
      "tether/reply.generate",
      { messageId: id },
      {
        steps: { [ops[0].id]: { type: "data", data: ops[0].data } },
      },
    );
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual(ops[0].data);
    expect(fake.requests.length).toBe(before + 1);
  });

  it("does nothing for a message that is not pending", async () => {
    const id = await newReply();
    await db.prisma.message.update({ where: { id }, data: { status: "interrupted", content: "kept", seq: 7 } });
    const before = fake.requests.length;

    const res = await execute("tether-generate-reply", "tether/reply.generate", { messageId: id });

    expect(res.status).toBe(206);
    const [op]: Op[] = await res.json();
    expect(op.data).toEqual({ messageId: id, ran: false, reason: "not_pending", status: "interrupted" });
    expect(await row(id)).toMatchObject({ status: "interrupted", content: "kept", seq: 7 });
    expect(fake.requests.length).toBe(before);
  });

  it("asks Inngest to retry a save while the database is down, and saves on the retry", async () => {
    const id = await newReply();
    const state = { seq: 40, status: "complete", parts: [{ type: "text", text: "final ✓" }], content: "final ✓", error: null };
    const down = appOn({ ...db, prisma: failingWrites(db.prisma) });
    setApp(down);
    let res: Response;
    try {
      res = await execute("tether-persist-reply", "tether/reply.persist", { messageId: id, state }, { runId: "run-persist" });
    } finally {
      setApp(app);
      await down.close();
    }
    expect(res.status).toBe(206);
    expect(res.headers.get("x-inngest-no-retry")).toBe("false");
    const [failed]: Op[] = await res.json();
    expect(failed).toMatchObject({ id: stepHash("persist"), op: "StepError", error: { message: expect.stringContaining("database is down") } });
    expect(await row(id)).toMatchObject({ status: "pending", content: "" });

    const retry = await execute("tether-persist-reply", "tether/reply.persist", { messageId: id, state }, { attempt: 1, runId: "run-persist" });
    expect(retry.status).toBe(206);
    const [ok]: Op[] = await retry.json();
    expect(ok).toMatchObject({ op: "StepRun", data: { messageId: id, seq: 40, applied: true } });
    expect(await row(id)).toMatchObject({ status: "complete", content: "final ✓", seq: 40 });
  });

  it("answers 500 for an unknown function", async () => {
    const res = await execute("tether-nope", "tether/reply.generate", { messageId: randomUUID() });
    expect(res.status).toBe(500);
  });
});

/** The same client, except that writes to messages fail as if the database were unreachable. */
function failingWrites(prisma: Db): Db {
  const message = new Proxy(prisma.message, {
    get(target, prop, receiver) {
      if (prop === "updateMany" || prop === "update") return () => Promise.reject(new Error("database is down"));
      return Reflect.get(target, prop, receiver);
    },
  });
  return new Proxy(prisma, {
    get(target, prop, receiver) {
      return prop === "message" ? message : Reflect.get(target, prop, receiver);
    },
  });
}
