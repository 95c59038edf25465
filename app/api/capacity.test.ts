// The instance's generation cap (MAX_ACTIVE_GENERATIONS) through the real
// routes, with slow demo replies (a minute per token) from several users:
// once the instance generates as many replies as it may, the next start is
// 503 `overloaded` with Retry-After and writes nothing; concurrent starts
// cannot both take the last slot; a reply that ends frees its slot.
import { afterEach, describe, expect, it } from "vitest";
import { call } from "@/lib/testing/route-client";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { getApp } from "@/lib/runtime";
import { expectError, newConversation, newGuest, post } from "@/lib/testing/api-steps";
import * as stop from "@/app/api/messages/[id]/stop/route";
import * as regenerate from "@/app/api/messages/[id]/regenerate/route";

const CAP = 3;
const h = useRouteHarness("capacity", {
  LLM_PROVIDER: "demo",
  DEMO_TOKEN_DELAY_MS: "60000",
  MAX_ACTIVE_GENERATIONS: String(CAP),
  MAX_ACTIVE_GENERATIONS_PER_USER: "2",
});

type Started = { cookie: string; cid: string; replyId: string };
// The app the routes use (reconfigure swaps it).
const live = () => getApp().generations.liveIds();
const stopAll = () => Promise.all(live().map((id) => getApp().generations.stop(id)));
const messagesIn = (cid: string) => h.db.prisma.message.count({ where: { conversationId: cid } });

/** A user whose reply starts generating (streamed; the stream is left unread). */
async function start(cookie?: string): Promise<Started> {
  cookie ??= await newGuest();
  const { id: cid } = await newConversation(cookie);
  const res = await post(cookie, cid, { content: "tell me a long story", stream: true });
  expect(res.status).toBe(200);
  await res.body?.cancel();
  const pending = await h.db.prisma.message.findFirstOrThrow({ where: { conversationId: cid, role: "assistant" } });
  return { cookie, cid, replyId: pending.id };
}

const stopReply = (s: Started) => call(stop.POST, "POST", "/", { cookie: s.cookie, params: { id: s.replyId } });

afterEach(stopAll);

describe("MAX_ACTIVE_GENERATIONS", () => {
  it("refuses a start beyond the cap with 503 overloaded and Retry-After, writing nothing; a reply that ends frees its slot", async () => {
    const a = await newGuest();
    // Refused admissions give their slot back.
    for (let i = 0; i < CAP; i++) await expectError(await post(a, "00000000-0000-4000-8000-000000000000", { content: "x" }), 404, "not_found");
    const running = [await start(a), await start(a), await start()]; // two users, at the cap
    expect(live()).toHaveLength(CAP);

    const c = await newGuest();
    const { id: cid } = await newConversation(c);
    const refused = await post(c, cid, { content: "me too", stream: true });
    const body = await expectError(refused, 503, "overloaded");
    expect(body.error.message).toMatch(/as many replies as it can \(3\)/);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await messagesIn(cid)).toBe(0); // no orphan user message, no pending reply
    // Every start goes through the same admission: regenerate too.
    const again = await call(regenerate.POST, "POST", "/", { cookie: running[2].cookie, params: { id: running[2].replyId }, body: { stream: true } });
    await expectError(again, 503, "overloaded");
    expect(await messagesIn(running[2].cid)).toBe(2);
    expect(live()).toHaveLength(CAP);

    expect((await stopReply(running[0])).status).toBe(200);
    await expect.poll(() => live().length).toBe(CAP - 1);

    const admitted = await post(c, cid, { content: "me too", stream: true });
    expect(admitted.status).toBe(200);
    await admitted.body?.cancel();
    expect(await messagesIn(cid)).toBe(2);
    expect(live()).toHaveLength(CAP);
  });

  it("lets only one of two concurrent starts take the last slot", async () => {
    await start();
    await start();
    expect(live()).toHaveLength(CAP - 1);
    const [x, y] = await Promise.all([newGuest(), newGuest()]);
    const [cx, cy] = await Promise.all([newConversation(x), newConversation(y)]);

    const answers = await Promise.all([post(x, cx.id, { content: "x", stream: true }), post(y, cy.id, { content: "y", stream: true })]);

    expect(answers.map((r) => r.status).sort()).toEqual([200, 503]);
    await Promise.all(answers.map((r) => r.body?.cancel()));
    expect((await messagesIn(cx.id)) + (await messagesIn(cy.id))).toBe(2);
    expect(live()).toHaveLength(CAP);
  });

  it("is off at 0", async () => {
    const restore = h.reconfigure({ MAX_ACTIVE_GENERATIONS: "0", MAX_ACTIVE_GENERATIONS_PER_USER: "5" });
    try {
      const cookie = await newGuest();
      for (let i = 0; i < CAP + 2; i++) await start(cookie);
      expect(live()).toHaveLength(CAP + 2);
    } finally {
      await stopAll();
      await restore();
    }
  });
});
