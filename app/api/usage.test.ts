// Usage and cost over HTTP (docs/API.md "Usage and cost"): per reply in the
// message JSON, summed per conversation by GET /api/conversations/:id, and per
// day by GET /api/usage, for the caller only. Embedded (PGlite) and scaled
// (PostgreSQL + Redis) mode; the real SDK against the fake API.
import { describe, expect, it } from "vitest";
import { useRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { call, readSse } from "@/lib/testing/route-client";
import { expectError, newConversation, newGuest, post } from "@/lib/testing/api-steps";
import * as conversation from "@/app/api/conversations/[id]/route";
import * as usage from "@/app/api/usage/route";
import * as conversationUsage from "@/app/api/conversations/[id]/usage/route";
import type { Message } from "@/lib/chat/types";

async function reply(cookie: string, id: string, content: string): Promise<Message> {
  const frames = await readSse(await post(cookie, id, { content }));
  const done = frames.at(-1)!;
  expect(done.event).toBe("done");
  return done.data.message;
}

const getUsage = (cookie: string, query = "") => call(usage.GET, "GET", `/api/usage${query}`, { cookie });

function suite(h: RouteHarness) {
  it("each reply carries its usage and cost; the conversation sums them; the day's usage is the caller's alone", async () => {
    const me = await newGuest();
    const c = await newConversation(me);
    const a = await reply(me, c.id, "first question");
    const b = await reply(me, c.id, "second question");
    for (const m of [a, b]) {
      expect(m.metadata.model).toBe("claude-haiku-4-5");
      expect(m.metadata.usage?.inputTokens).toBeGreaterThan(0);
      expect(m.metadata.usage?.outputTokens).toBeGreaterThan(0);
      expect(m.metadata.cost).toEqual({ amount: expect.any(Number), currency: "USD" });
      expect(m.metadata.cost!.amount).toBeGreaterThan(0);
    }
    const got = await (await call(conversation.GET, "GET", "/", { cookie: me, params: { id: c.id } })).json();
    expect(got.messages.at(-1).metadata.cost).toEqual(b.metadata.cost);
    const sum = (k: "inputTokens" | "outputTokens") => a.metadata.usage![k] + b.metadata.usage![k];
    expect(got.usage).toEqual({
      replies: 2,
      inputTokens: sum("inputTokens"),
      outputTokens: sum("outputTokens"),
      cacheReadInputTokens: 0,
      cacheCreationInputTokens: 0,
      cost: { amount: expect.closeTo(a.metadata.cost!.amount! + b.metadata.cost!.amount!, 9), currency: "USD" },
      unpricedReplies: 0,
    });

    const res = await getUsage(me);
    expect(res.status).toBe(200);
    const daily = await res.json();
    expect(daily.currency).toBe("USD");
    expect(daily.days).toHaveLength(30);
    expect(daily.days.at(-1).date).toBe(new Date().toISOString().slice(0, 10));
    expect(daily.days.at(-1)).toMatchObject({ replies: 2, inputTokens: got.usage.inputTokens, outputTokens: got.usage.outputTokens });
    expect(daily.total).toMatchObject({ replies: 2, inputTokens: got.usage.inputTokens });
    expect(daily.total.cost.amount).toBeCloseTo(got.usage.cost.amount, 9);

    const other = await getUsage(await newGuest(), "?days=7");
    const theirs = await other.json();
    expect(theirs.days).toHaveLength(7);
    expect(theirs.total).toMatchObject({ replies: 0, inputTokens: 0, cost: { amount: 0, currency: "USD" } });
    await expectError(await call(conversation.GET, "GET", "/", { cookie: await newGuest(), params: { id: c.id } }), 404, "not_found");
  });

  it("an unpriced model is counted apart, never as 0; older days fall out of the window", async () => {
    const me = await newGuest();
    const c = await newConversation(me);
    h.fake.enqueue({ text: "from a model without a price", model: "claude-unpriced-9" });
    const odd = await reply(me, c.id, "hello");
    expect(odd.metadata.cost).toEqual({ amount: null, currency: "USD" });
    const priced = await reply(me, c.id, "again");
    const got = await (await call(conversation.GET, "GET", "/", { cookie: me, params: { id: c.id } })).json();
    expect(got.usage).toMatchObject({ replies: 2, unpricedReplies: 1 });
    expect(got.usage.cost.amount).toBeCloseTo(priced.metadata.cost!.amount!, 9);

    await h.db.prisma.message.update({ where: { id: priced.id }, data: { createdAt: new Date(Date.now() - 40 * 86_400_000) } });
    const recent = await (await getUsage(me)).json();
    expect(recent.total).toMatchObject({ replies: 1, unpricedReplies: 1, cost: { amount: 0 } });
    const longer = await (await getUsage(me, "?days=90")).json();
    expect(longer.total).toMatchObject({ replies: 2, unpricedReplies: 1 });
  });

  it("a long conversation's next reply reads its history from the prompt cache; the conversation's usage route sums it", async () => {
    const me = await newGuest();
    const c = await newConversation(me);
    h.fake.enqueue({ text: "Noted." }, { text: "Crabs, anemones and starfish." });
    const first = await reply(me, c.id, `Read this: ${"tide pools and rocky shores ".repeat(300)}`);
    expect(first.metadata.usage).toMatchObject({ cacheReadInputTokens: 0 });
    expect(first.metadata.usage!.cacheCreationInputTokens).toBeGreaterThan(1024);
    const second = await reply(me, c.id, "What lives there?");
    const u = second.metadata.usage!;
    expect(u.cacheReadInputTokens).toBe(first.metadata.usage!.cacheCreationInputTokens);
    expect(u.cacheReadInputTokens! / (u.inputTokens + u.cacheReadInputTokens! + u.cacheCreationInputTokens!)).toBeGreaterThan(0.8);
    // Cache reads cost a tenth of input: the second reply, with a longer prompt, costs less.
    expect(second.metadata.cost!.amount!).toBeLessThan(first.metadata.cost!.amount!);
    const res = await call(conversationUsage.GET, "GET", "/", { cookie: me, params: { id: c.id } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ replies: 2, cacheReadInputTokens: u.cacheReadInputTokens, unpricedReplies: 0 });
    await expectError(await call(conversationUsage.GET, "GET", "/", { cookie: await newGuest(), params: { id: c.id } }), 404, "not_found");
  });

  it("refuses a days value outside 1–90 with a 400, and a caller without a session with a 401", async () => {
    const me = await newGuest();
    for (const q of ["?days=0", "?days=91", "?days=abc", "?days=1.5"]) await expectError(await getUsage(me, q), 400, "invalid_input");
    await expectError(await call(usage.GET, "GET", "/api/usage"), 401);
  });
}

describe("usage (embedded)", () => suite(useRouteHarness("usage")));
describe("usage (scaled)", () => suite(useRouteHarness("usage_scaled", {}, { scaled: true })));
