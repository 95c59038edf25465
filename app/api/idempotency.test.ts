// Sends that never double (docs/PROTOCOL.md §3.6), through the real routes:
// a start repeated with its Idempotency-Key (a double-click, a retry after a
// network error) gets the same user message and reply, from where it stands,
// and the upstream is asked once; another request with the key is 422; a bad
// key is 400; keys are per user and last 24 hours.
import { describe, expect, it } from "vitest";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { call, readSse, rebuildText, type SseFrame } from "@/lib/testing/route-client";
import { expectError, newConversation, newGuest, TRICKY } from "@/lib/testing/api-steps";
import * as messages from "@/app/api/conversations/[id]/messages/route";
import * as conversation from "@/app/api/conversations/[id]/route";
import * as cont from "@/app/api/messages/[id]/continue/route";
import * as regenerate from "@/app/api/messages/[id]/regenerate/route";
import * as edit from "@/app/api/messages/[id]/edit/route";
import * as stop from "@/app/api/messages/[id]/stop/route";
import * as signUp from "@/app/api/auth/sign-up/route";
import { cookieFrom } from "@/lib/testing/route-client";
import { IDEMPOTENCY_KEY_TTL_MS } from "@/lib/reply/idempotency";

const h = useRouteHarness("idempotency");

const post = (cookie: string, id: string, body: unknown, key?: string) =>
  call(messages.POST, "POST", `/api/conversations/${id}/messages`, { cookie, body, params: { id }, headers: key === undefined ? {} : { "idempotency-key": key } });
const start = (handler: typeof cont.POST, cookie: string, id: string, body: unknown, key: string) =>
  call(handler, "POST", "/", { cookie, body, params: { id }, headers: { "idempotency-key": key } });
const pathOf = async (cookie: string, id: string) =>
  ((await (await call(conversation.GET, "GET", "/", { cookie, params: { id } })).json()).messages as { id: string; role: string; content: string }[]).map(
    (m) => `${m.role}:${m.content}`,
  );
const done = (frames: SseFrame[]) => frames[frames.length - 1];

describe("Idempotency-Key", () => {
  it("a post repeated while its reply streams and after it ended gets that reply, byte-exact; upstream is asked once", async () => {
    const cookie = await newGuest();
    const c = await newConversation(cookie);
    h.fake.enqueue({ text: TRICKY, chunk: 3, delayMs: 20 });
    const asked = h.fake.requests.length;
    const first = await post(cookie, c.id, { content: "only once" }, "send-1");
    const firstFrames = readSse(first);
    // The repeat while the first streams: the same two messages, followed live.
    const again = await post(cookie, c.id, { content: "only once" }, "send-1");
    expect(again.status).toBe(200);
    const againFrames = await readSse(again);
    const frames = await firstFrames;
    expect(againFrames[0].event).toBe("snapshot");
    expect(["pending", "streaming"]).toContain(againFrames[0].data.message.status);
    expect(againFrames[0].data.userMessage.id).toBe(frames[0].data.userMessage.id);
    expect(againFrames[0].data.message.id).toBe(frames[0].data.message.id);
    // What the repeat shows is the whole reply: its snapshot plus what followed.
    const shown = againFrames[0].data.message.content + rebuildText(againFrames.slice(1));
    expect(shown).toBe(TRICKY);
    expect(done(againFrames).data.message.content).toBe(TRICKY);
    // Ids continue from the repeat's snapshot with no gap, and end as the original's did.
    const ids = againFrames.map((f) => f.id!);
    expect(ids.slice(1)).toEqual(ids.slice(1).map((_, i) => ids[0] + 1 + i));
    expect(done(againFrames).id).toBe(done(frames).id);
    expect(done(againFrames).data.message.status).toBe("complete");
    expect(rebuildText(frames)).toBe(TRICKY);
    // After the end: the saved reply, whole (JSON too).
    const later = await post(cookie, c.id, { content: "only once", stream: false }, "send-1");
    expect(later.status).toBe(200);
    const saved = await later.json();
    expect(saved.assistantMessage).toMatchObject({ id: frames[0].data.message.id, status: "complete", content: TRICKY });
    expect(saved.userMessage.id).toBe(frames[0].data.userMessage.id);
    expect(h.fake.requests.length - asked).toBe(1);
    expect(await pathOf(cookie, c.id)).toEqual(["user:only once", `assistant:${TRICKY}`]);
  });

  it("two posts racing with one key start one reply; without a key the second is refused (409)", async () => {
    const cookie = await newGuest();
    const c = await newConversation(cookie);
    h.fake.enqueue({ text: "raced", chunk: 2, delayMs: 10 });
    const asked = h.fake.requests.length;
    const [a, b] = await Promise.all([post(cookie, c.id, { content: "twice" }, "race"), post(cookie, c.id, { content: "twice" }, "race")]);
    const [fa, fb] = await Promise.all([readSse(a), readSse(b)]);
    expect(done(fa).data.message.id).toBe(done(fb).data.message.id);
    expect(done(fb).data.message.content).toBe("raced");
    expect(h.fake.requests.length - asked).toBe(1);
    expect(await pathOf(cookie, c.id)).toEqual(["user:twice", "assistant:raced"]);

    const d = await newConversation(cookie);
    h.fake.enqueue({ text: "slow", chunk: 1, delayMs: 30 });
    const plain = await post(cookie, d.id, { content: "no key" });
    await expectError(await post(cookie, d.id, { content: "no key" }), 409, "generation_in_progress");
    await readSse(plain);
  });

  it("the key with another body is 422 and writes nothing; a bad key is 400; another user's key is theirs", async () => {
    const cookie = await newGuest();
    const c = await newConversation(cookie);
    h.fake.enqueue({ text: "first" });
    await readSse(await post(cookie, c.id, { content: "one thing" }, "k"));
    await expectError(await post(cookie, c.id, { content: "another thing" }, "k"), 422, "idempotency_mismatch");
    // The same key for another action (Continue on the reply) is another request too.
    const replyId = (await (await call(conversation.GET, "GET", "/", { cookie, params: { id: c.id } })).json()).messages[1].id;
    await expectError(await start(cont.POST, cookie, replyId, {}, "k"), 422, "idempotency_mismatch");
    await expectError(await post(cookie, c.id, { content: "x" }, "k".repeat(256)), 400, "invalid_input");
    await expectError(await post(cookie, c.id, { content: "x" }, ""), 400, "invalid_input");
    await expectError(await post(cookie, c.id, { content: "x" }, "tab\there"), 400, "invalid_input");
    expect(await pathOf(cookie, c.id)).toEqual(["user:one thing", "assistant:first"]);
    // 255 characters is fine, and a key is per user: the same key elsewhere starts that user's own reply.
    const other = await newGuest();
    const o = await newConversation(other);
    h.fake.enqueue({ text: "theirs" });
    const res = await post(other, o.id, { content: "one thing" }, "k");
    expect(done(await readSse(res)).data.message.content).toBe("theirs");
    h.fake.enqueue({ text: "long key" });
    expect(done(await readSse(await post(cookie, c.id, { content: "more" }, "k".repeat(255)))).data.message.content).toBe("long key");
  });

  it("Continue, regenerate and edit repeated with their key start nothing new", async () => {
    const cookie = await newGuest();
    const c = await newConversation(cookie);
    h.fake.enqueue({ text: "A long reply that will be stopped early on.", chunk: 1, delayMs: 15 });
    const first = await post(cookie, c.id, { content: "start" });
    const frames: SseFrame[] = [];
    const reading = readSse(first, (f) => void frames.push(f));
    await expect.poll(() => rebuildText(frames).length, { timeout: 10_000 }).toBeGreaterThan(3);
    const replyId = frames[0].data.message.id as string;
    await call(stop.POST, "POST", "/", { cookie, params: { id: replyId } });
    await reading;

    const asked = h.fake.requests.length;
    h.fake.enqueue({ text: " And the rest." });
    const continued = done(await readSse(await start(cont.POST, cookie, replyId, {}, "continue-1")));
    const repeated = done(await readSse(await start(cont.POST, cookie, replyId, {}, "continue-1")));
    expect(repeated.data.message).toMatchObject({ id: replyId, status: "complete", content: continued.data.message.content });
    expect(continued.data.message.content.endsWith(" And the rest.")).toBe(true);

    h.fake.enqueue({ text: "Version two." });
    const regen = await readSse(await start(regenerate.POST, cookie, replyId, {}, "regen-1"));
    const regenAgain = await readSse(await start(regenerate.POST, cookie, replyId, {}, "regen-1"));
    expect(done(regenAgain).data.message.id).toBe(done(regen).data.message.id);
    expect(done(regenAgain).data.message.content).toBe("Version two.");
    // The repeat's first snapshot shows the versions as the original's did.
    expect(regen[0].data.message.versions).toMatchObject({ index: 1, count: 2 });
    expect(regenAgain[0].data.message.versions).toEqual(regen[0].data.message.versions);

    const userId = frames[0].data.userMessage.id as string;
    h.fake.enqueue({ text: "Edited answer." });
    const e1 = await readSse(await start(edit.POST, cookie, userId, { content: "edited" }, "edit-1"));
    const e2 = await readSse(await start(edit.POST, cookie, userId, { content: "edited" }, "edit-1"));
    expect(done(e2).data.message.id).toBe(done(e1).data.message.id);
    expect(e2[0].data.userMessage.id).toBe(e1[0].data.userMessage.id);
    expect(e1[0].data.userMessage.versions).toBeTruthy();
    expect(e2[0].data.userMessage.versions).toEqual(e1[0].data.userMessage.versions);
    expect(h.fake.requests.length - asked).toBe(3);
    expect(await pathOf(cookie, c.id)).toEqual(["user:edited", "assistant:Edited answer."]);
  });

  it("a guest's key goes with its chats into the account it signs up for: the repeat after signing up attaches", async () => {
    const guest = await newGuest();
    const c = await newConversation(guest);
    h.fake.enqueue({ text: "before signing up" });
    const first = done(await readSse(await post(guest, c.id, { content: "carry me" }, "moving-key")));
    const account = await call(signUp.POST, "POST", "/api/auth/sign-up", {
      cookie: guest,
      body: { email: `mover-${Date.now()}@example.com`, password: "correct horse battery" },
    });
    expect(account.status).toBe(201);
    const again = await post(cookieFrom(account), c.id, { content: "carry me", stream: false }, "moving-key");
    expect(again.status).toBe(200);
    expect((await again.json()).assistantMessage).toMatchObject({ id: first.data.message.id, content: "before signing up" });
    expect(await pathOf(cookieFrom(account), c.id)).toEqual(["user:carry me", "assistant:before signing up"]);
  });

  it("a key older than 24 hours is forgotten: the same request then starts a new reply", async () => {
    const cookie = await newGuest();
    const c = await newConversation(cookie);
    h.fake.enqueue({ text: "day one" });
    const one = done(await readSse(await post(cookie, c.id, { content: "daily" }, "daily-key")));
    const db = await h.app.db();
    await db.idempotencyKey.updateMany({ where: { key: "daily-key" }, data: { createdAt: new Date(Date.now() - IDEMPOTENCY_KEY_TTL_MS - 1000) } });
    h.fake.enqueue({ text: "day two" });
    const two = done(await readSse(await post(cookie, c.id, { content: "daily" }, "daily-key")));
    expect(two.data.message.id).not.toBe(one.data.message.id);
    expect(two.data.message.content).toBe("day two");
    expect(await db.idempotencyKey.count({ where: { key: "daily-key" } })).toBe(1);
    // The purge forgets expired keys.
    await db.idempotencyKey.updateMany({ where: { key: "daily-key" }, data: { createdAt: new Date(Date.now() - IDEMPOTENCY_KEY_TTL_MS - 1000) } });
    expect((await h.app.purgeIdle()).idempotencyKeys).toBeGreaterThanOrEqual(1);
    expect(await db.idempotencyKey.count({ where: { key: "daily-key" } })).toBe(0);
  });
});
