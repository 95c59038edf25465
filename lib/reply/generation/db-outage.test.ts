// The database goes away mid-stream (scaled DB mode: a private PostgreSQL
// server of this test's own, stopped and restarted; never the shared one).
// The stream to the client carries on to `done` with byte-exact text,
// checkpoints and the final save are retried, the final state lands once the
// database is back, and the row is never `complete` before that save.
// Real routes, the real SDK against the fake Anthropic server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DbHandle } from "../../platform/db";
import type { App } from "../../app";
import { setApp } from "../../runtime";
import { testApp } from "../../testing/app";
import { startFakeAnthropic, type FakeAnthropic } from "../../testing/fake-anthropic";
import { privatePostgresUnavailable, startPrivatePostgres, type PrivatePostgres } from "../../testing/private-postgres";
import { call, cookieFrom, readSse, rebuildText, type SseFrame } from "../../testing/route-client";
import * as guest from "@/app/api/auth/guest/route";
import * as conversations from "@/app/api/conversations/route";
import * as messages from "@/app/api/conversations/[id]/messages/route";

const unavailable = privatePostgresUnavailable();
const SCHEMA = "outage";
let pg: PrivatePostgres;
let db: DbHandle;
let fake: FakeAnthropic;
let app: App;
const appWith = (env: Record<string, string> = {}) =>
  testApp(
    {
      LLM_PROVIDER: "anthropic",
      ANTHROPIC_API_KEY: "sk-test-outage",
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_MODEL: "claude-haiku-4-5",
      SESSION_SECRET: "outage-secret-".padEnd(48, "o"),
      CHECKPOINT_INTERVAL_MS: "100",
      ...env,
    },
    { dbHandle: db },
  );

beforeAll(async () => {
  if (unavailable) return;
  pg = await startPrivatePostgres();
  fake = await startFakeAnthropic();
  db = await openDatabase({ kind: "postgres", url: `${pg.url}?schema=${SCHEMA}`, schema: SCHEMA });
  app = appWith();
  setApp(app);
  // Every write to a message, in order: what the row was at each instant.
  await db.prisma.$executeRawUnsafe(`CREATE TABLE "${SCHEMA}".audit (n bigserial PRIMARY KEY, message_id uuid, status text, seq int, content text)`);
  await db.prisma.$executeRawUnsafe(`CREATE FUNCTION "${SCHEMA}".audit_message() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN INSERT INTO "${SCHEMA}".audit (message_id, status, seq, content) VALUES (NEW.id, NEW.status::text, NEW.seq, NEW.content); RETURN NEW; END $$`);
  await db.prisma.$executeRawUnsafe(`CREATE TRIGGER message_audit AFTER UPDATE ON "${SCHEMA}"."Message" FOR EACH ROW EXECUTE FUNCTION "${SCHEMA}".audit_message()`);
}, 120_000);

afterAll(async () => {
  setApp(undefined);
  await app?.close();
  await db?.close().catch(() => {});
  await fake?.close();
  await pg?.destroy();
});

/** Follows an SSE response frame by frame; `until` waits for a condition on the frames so far. */
function follow(res: Response) {
  const frames: SseFrame[] = [];
  let wake = () => {};
  const ended = readSse(res, (f) => {
    frames.push(f);
    wake();
  });
  const until = async (pred: (frames: SseFrame[]) => boolean, ms = 30_000) => {
    const deadline = Date.now() + ms;
    while (!pred(frames)) {
      if (Date.now() > deadline) throw new Error(`stream condition not met; ${frames.length} frames so far`);
      await Promise.race([new Promise<void>((r) => (wake = r)), ended, new Promise((r) => setTimeout(r, 200))]);
    }
  };
  return { frames, ended, until };
}

async function startReply(text: string, delayMs: number) {
  const cookie = cookieFrom(await call(guest.POST, "POST", "/api/auth/guest"));
  const conv = await (await call(conversations.POST, "POST", "/", { cookie, body: {} })).json();
  fake.enqueue({ text, chunk: 1, delayMs });
  const s = follow(await call(messages.POST, "POST", "/", { cookie, params: { id: conv.id }, body: { content: "outage" } }));
  await s.until((f) => f.length > 0);
  return { ...s, id: s.frames[0].data.message.id as string };
}

type AuditRow = { status: string; seq: number; content: string };
const audit = (id: string) => db.prisma.$queryRawUnsafe<AuditRow[]>(`SELECT status, seq, content FROM "${SCHEMA}".audit WHERE message_id = $1::uuid ORDER BY n`, id);
const deltas = (f: SseFrame[]) => f.filter((x) => x.event === "delta").length;

/** Checks the whole history of the row: prefixes while streaming, `complete` only with the final text. */
function expectHonestHistory(rows: AuditRow[], text: string, finalSeq: number) {
  const complete = rows.filter((r) => r.status === "complete");
  expect(complete).toEqual([{ status: "complete", seq: finalSeq, content: text }]);
  expect(rows.at(-1)).toEqual(complete[0]);
  for (const r of rows.slice(0, -1)) {
    expect(["pending", "streaming"]).toContain(r.status);
    expect(text.startsWith(r.content)).toBe(true);
  }
  const seqs = rows.map((r) => r.seq);
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
}

function expectExactStream(frames: SseFrame[], text: string) {
  expect(frames.slice(1).map((f) => f.id)).toEqual(frames.slice(1).map((_, i) => i + 1));
  expect(frames.filter((f) => f.event === "done")).toHaveLength(1);
  expect(frames.at(-1)!.event).toBe("done");
  expect(rebuildText(frames)).toBe(text);
}

const TEXT = 'Outage ✓ 中文 🚀 e\u0301 data: {"x":1}\n\nid: 9\nevent: done\n\n' + "Lorem ipsum dolor sit amet. ".repeat(12);

describe.skipIf(unavailable)("the database goes down mid-stream (private PostgreSQL)", () => {
  it("streams on to the end, retries the final save until the database is back, then says done", async () => {
    const s = await startReply(TEXT, 3);
    await s.until((f) => deltas(f) >= 30);
    const before = await db.prisma.message.findUniqueOrThrow({ where: { id: s.id } });
    expect(before.status).toBe("streaming");
    await pg.stop("immediate");

    // With no database the whole text still reaches the client...
    await s.until((f) => rebuildText(f) === TEXT);
    // ...and the generation has ended, but `done` waits for the save.
    await s.until((f) => f.some((x) => x.event === "status" && x.data.status === "complete"));
    await new Promise((r) => setTimeout(r, 1_500)); // the database stays down a while; saves keep failing
    expect(s.frames.some((f) => f.event === "done")).toBe(false);

    await pg.start();
    await s.until((f) => f.at(-1)?.event === "done");
    // At the moment `done` arrives, the row already holds it.
    const row = await db.prisma.message.findUniqueOrThrow({ where: { id: s.id } });
    const done = s.frames.at(-1)!;
    expect([row.status, row.content, row.seq]).toEqual(["complete", TEXT, done.id]);
    expect(done.data.message).toMatchObject({ status: "complete", content: TEXT });
    await s.ended;
    expectExactStream(s.frames, TEXT);
    expectHonestHistory(await audit(s.id), TEXT, done.id!);
  });

  it("sends no id it could not reserve: the stream waits at the reservation while the database is down, then finishes", async () => {
    const long = "Block boundary ✓ 🚀 ".repeat(110); // ~2000 deltas, so ids past the first reserved block
    const s = await startReply(long, 1);
    await s.until((f) => deltas(f) >= 50);
    const { seqCeiling } = await db.prisma.message.findUniqueOrThrow({ where: { id: s.id } });
    await pg.stop("immediate");

    await s.until((f) => (f.at(-1)?.id ?? 0) >= seqCeiling - 10); // carried on without the database
    await new Promise((r) => setTimeout(r, 500)); // and stopped short of the unreserved ids
    expect(Math.max(...s.frames.map((f) => f.id ?? 0))).toBeLessThan(seqCeiling);
    expect(s.frames.some((f) => f.event === "done")).toBe(false);

    await pg.start();
    await s.until((f) => f.at(-1)?.event === "done");
    await s.ended;
    expectExactStream(s.frames, long);
    const row = await db.prisma.message.findUniqueOrThrow({ where: { id: s.id } });
    expect([row.status, row.content]).toEqual(["complete", long]);
    expect(row.seqCeiling).toBeGreaterThan(row.seq);
    const history = await audit(s.id);
    expectHonestHistory(history, long, s.frames.at(-1)!.id!);
    // Whether a streaming checkpoint lands between the database's return and
    // the final save depends on how much text is left by then (the upstream
    // kept sending during the outage): a race, so not asserted here. The
    // retry of a failed checkpoint once the database is back is tested
    // deterministically in checkpoint.test.ts.
  });

  it("hands a final save that ran out of retries to the durable persist job, which lands it once the database is back", async () => {
    const impatient = appWith({ FINAL_SAVE_RETRY_MS: "300" });
    setApp(impatient);
    try {
      const s = await startReply(TEXT, 1);
      await s.until((f) => deltas(f) >= 20);
      await pg.stop("immediate");
      // The generation gives up saving and ends its stream with what it has.
      await s.until((f) => f.at(-1)?.event === "done");
      await s.ended;
      expectExactStream(s.frames, TEXT);
      await pg.start();
      // The in-process persist job keeps retrying (seconds apart) and lands the final state.
      const deadline = Date.now() + 120_000; // generous: a busy machine slows the retries, never the outcome
      let row = await db.prisma.message.findUniqueOrThrow({ where: { id: s.id } });
      while (row.status !== "complete" && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        row = await db.prisma.message.findUniqueOrThrow({ where: { id: s.id } });
      }
      expect([row.status, row.content, row.seq]).toEqual(["complete", TEXT, s.frames.at(-1)!.id]);
      expectHonestHistory(await audit(s.id), TEXT, s.frames.at(-1)!.id!);
    } finally {
      setApp(app);
      await impatient.close();
    }
  });
});

// Locally a machine without PostgreSQL server binaries skips this file, and
// says why; in CI (CI set) the same absence is a failure: the outage must be
// tested somewhere.
const inCi = Boolean(process.env.CI) && !/^(0|false|no|off)$/i.test(process.env.CI ?? "");
if (unavailable) {
  describe("the database goes down mid-stream", () => {
    if (inCi) {
      it("has a private PostgreSQL cluster to stop and restart (required in CI)", () => {
        throw new Error(`CI is set but a private PostgreSQL cluster cannot be made here (${unavailable}): install the PostgreSQL server binaries or set PG_BIN`);
      });
    } else {
      it.skip(`skipped: a private PostgreSQL cluster cannot be made here (${unavailable}); in CI this fails`, () => {});
    }
  });
}
