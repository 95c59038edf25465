// Scaled mode under load: 200 replies at once over two instances sharing
// PostgreSQL and Redis (posted alternately on A and B; half of them also
// followed on the other instance by id, from the event after their first
// delta). Each reply's text is scripted in the fake upstream, unique, with
// multi-byte and SSE-looking content, and must be byte-exact everywhere:
// rebuilt from either SSE stream == what the upstream sent == what the
// database holds, with gap-free event ids and status complete.
import { expect, test } from "@playwright/test";
import { mkdtempSync, rmSync } from "node:fs";
import pg from "pg";
import { startFakeAnthropic, type FakeAnthropic, type Scenario } from "../lib/testing/fake-anthropic";
import { buildSteps, readRequest } from "../lib/testing/fake-anthropic-script";
import { readSse, rebuildText, type SseFrame } from "../lib/testing/route-client";
import { freePort, startApp, type AppServer } from "./support";

const REPLIES = 200;
const PG_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const RUN = `${Date.now()}_${process.pid}`;
const schema = `e2e_scaled_load_${RUN}`;
let dataDir: string; // unused on PostgreSQL, but never the default ./data
let fake: FakeAnthropic;
let a: AppServer;
let b: AppServer;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(150_000);
  dataDir = mkdtempSync("/tmp/scale-e2e-");
  fake = await startFakeAnthropic({ recordTimings: true });
  const env = {
    DATABASE_URL: `${PG_URL}?schema=${schema}`,
    REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
    SESSION_SECRET: "e2e-scaled-load-secret-shared-by-both-instances",
    LLM_PROVIDER: "anthropic",
    ANTHROPIC_API_KEY: "test-key",
    ANTHROPIC_BASE_URL: fake.url,
    DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
  };
  a = await startApp(await freePort(), env); // first: it creates the schema and migrates
  b = await startApp(await freePort(), env);
});

test.afterAll(async () => {
  await a?.kill("SIGKILL");
  await b?.kill("SIGKILL");
  await fake?.close();
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`drop schema if exists "${schema}" cascade`);
  await admin.end();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Reply i's text: unique, multi-byte (combining marks, emoji, CJK, U+2028) and lines that look like SSE. */
function textFor(i: number): string {
  return (
    `Reply ${i} ✓ naïve café e\u0301 🦊${"🚀".repeat(i % 4)} 日本語 — ` +
    `data: {"reply":${i}}\n\nid: ${i + 1}\nevent: done\n\n: not a comment\r\nretry: 1\u2028` +
    `${"lorem ipsum ".repeat(8 + (i % 5))}**bold** \`code\` \\u0041 "quoted" end of ${i}.`
  );
}
const scenarioFor = (i: number): Scenario => ({ text: textFor(i), chunk: [1, 3, 7, 2], delayMs: 4 });
const keyFor = (i: number) => `load-${RUN}-#${i}:`;
// A stream whose events stop (lost on the way) fails as such, before the test's own timeout.
const streamLimit = () => AbortSignal.timeout(150_000);

type Guest = { cookie: string; conversations: string[] };

async function newGuest(base: string): Promise<Guest> {
  const res = await fetch(`${base}/api/auth/guest`, { method: "POST" });
  expect(res.status).toBe(201);
  const cookie = res.headers.get("set-cookie")!.split(";")[0];
  const conversations: string[] = [];
  for (let k = 0; k < 2; k++) {
    // A chosen title: no title generation, so the fake sees exactly one request per reply.
    const conv = await fetch(`${base}/api/conversations`, { method: "POST", headers: { cookie, "content-type": "application/json" }, body: '{"title":"load"}' });
    expect(conv.status).toBe(201);
    conversations.push(((await conv.json()) as { id: string }).id);
  }
  return { cookie, conversations };
}

type Outcome = { i: number; post: SseFrame[]; follower?: { after: number; frames: SseFrame[] }; error?: string };

/**
 * Reply i: posted on A (even i) or B (odd i); when i % 4 is 2 or 3 also
 * followed on the other instance from the event after its first delta.
 */
async function runReply(i: number, guest: Guest): Promise<Outcome> {
  const [home, other] = i % 2 === 0 ? [a, b] : [b, a];
  const follows = i % 4 >= 2;
  const out: Outcome = { i, post: [] };
  try {
    const res = await fetch(`${home.url}/api/conversations/${guest.conversations[i % 2]}/messages`, {
      method: "POST",
      headers: { cookie: guest.cookie, "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ content: `${keyFor(i)} [[fake:${JSON.stringify(scenarioFor(i))}]]`, stream: true }),
      signal: streamLimit(),
    });
    if (res.status !== 200) throw new Error(`POST on ${home.url}: HTTP ${res.status} ${await res.text()}`);
    let messageId: string | undefined;
    let following: Promise<void> | undefined;
    out.post = await readSse(res, (f) => {
      if (f.event === "snapshot") messageId ??= f.data.message.id;
      if (!follows || following || f.event !== "delta") return;
      const after = f.id!; // the first delta's id: the follower must replay from the next event on
      following = (async () => {
        const got = await fetch(`${other.url}/api/messages/${messageId}/stream?after=${after}`, { headers: { cookie: guest.cookie }, signal: streamLimit() });
        if (got.status !== 200) throw new Error(`GET stream on ${other.url}: HTTP ${got.status}`);
        out.follower = { after, frames: await readSse(got) };
      })().catch((e: unknown) => void (out.error = `follower: ${String(e)}`));
    });
    await following;
  } catch (e) {
    out.error = String(e);
  }
  return out;
}

/** What is wrong with one reply (empty when all is exact). */
function problems(o: Outcome, saved: Map<string, { content: string; status: string }>): string[] {
  const expected = textFor(o.i);
  const bad: string[] = [];
  if (o.error) return [`reply ${o.i}: ${o.error}`];
  const [first, ...rest] = o.post;
  if (first?.event !== "snapshot") return [`reply ${o.i}: the POST stream did not start with a snapshot`];
  const ids = rest.map((f) => f.id);
  if (ids.some((id, k) => id !== first.id! + 1 + k)) bad.push(`POST stream ids not consecutive: ${ids.slice(0, 5).join(",")}…`);
  if (rebuildText(o.post) !== expected) bad.push("text rebuilt from the POST stream differs from what the upstream sent");
  const done = rest.at(-1);
  if (done?.event !== "done" || done.data.message.status !== "complete" || done.data.message.content !== expected)
    bad.push("the POST stream did not end with done / complete / the exact content");
  if (o.post.some((f) => f.event === "error")) bad.push("error event");
  if (o.i % 4 >= 2) {
    if (!o.follower) bad.push("no follower stream");
    else {
      // The follower got exactly the POST's events after N: same ids, same data.
      const tail = o.post.filter((f) => f.id !== null && f.id > o.follower!.after);
      if (JSON.stringify(o.follower.frames) !== JSON.stringify(tail)) bad.push(`follower (after=${o.follower.after}) frames differ from the POST's events after it`);
      const upTo = o.post.filter((f) => f.id! <= o.follower!.after);
      if (rebuildText([...upTo, ...o.follower.frames]) !== expected) bad.push("text rebuilt from the follower differs");
    }
  }
  // What the upstream sent: one request for this reply, streamed to the end.
  const recs = fake.requests.filter((r) => readRequest(r.body).lastUserText.includes(keyFor(o.i)));
  if (recs.length !== 1) bad.push(`${recs.length} upstream requests`);
  else {
    const sent = buildSteps(scenarioFor(o.i), readRequest(recs[0].body), "msg").filter((s) => s.event === "content_block_delta");
    const rec = recs[0];
    if (rec.outcome !== "streamed" || rec.aborted || !rec.finished || rec.timings?.deltaSentAt.length !== sent.length)
      bad.push(`upstream: ${rec.outcome}, aborted ${rec.aborted}, ${rec.timings?.deltaSentAt.length}/${sent.length} deltas written`);
    if (sent.map((s) => (s.data as { delta: { text: string } }).delta.text).join("") !== expected) bad.push("the upstream script does not send the expected text");
  }
  const row = saved.get(first.data.message.id);
  if (row?.content !== expected || row.status !== "complete") bad.push(`database holds ${row ? `${row.status}, ${row.content.length} chars` : "nothing"}`);
  return bad.map((p) => `reply ${o.i}: ${p}`);
}

test(`${REPLIES} concurrent replies over two instances are exact everywhere`, async () => {
  test.setTimeout(240_000);
  const guests: Guest[] = [];
  // One guest per two replies (two conversations): below the per-user limits.
  for (let g = 0; g < REPLIES / 2; g += 10) {
    guests.push(...(await Promise.all(Array.from({ length: 10 }, (_, k) => newGuest((g + k) % 2 ? b.url : a.url)))));
  }
  const outcomes = await Promise.all(Array.from({ length: REPLIES }, (_, i) => runReply(i, guests[Math.floor(i / 2)])));

  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  const ids = outcomes.flatMap((o) => (o.post[0]?.event === "snapshot" ? [o.post[0].data.message.id as string] : []));
  const { rows } = await admin.query(`select id, content, status from "${schema}"."Message" where id = any($1::uuid[])`, [ids]);
  await admin.end();
  const saved = new Map(rows.map((r: { id: string; content: string; status: string }) => [r.id, r]));

  const failures = outcomes.flatMap((o) => problems(o, saved));
  expect(failures.slice(0, 20), `${failures.length} problems`).toEqual([]);
  expect(outcomes.filter((o) => o.follower).length).toBe(REPLIES / 2);
  expect(new Set(rows.map((r: { id: string }) => r.id)).size).toBe(REPLIES);
});
