// A reply's usage is complete: summed over a tool loop's model calls and over
// Continue, kept per model, saved on a failed reply as far as the API told
// it, and priced (unknown model: unknown cost, never 0). The real SDK against
// the fake API, which reports usage as the API does.
import { describe, expect, it } from "vitest";
import { continueReply } from "../admission";
import { totalInput } from "../../usage/tokens";
import { DEFAULT_PRICES, costOf } from "../../usage/prices";
import { runGeneration } from "./generation";
import { recorder, useLoopHarness } from "./run-harness";
import { testAdmission } from "../../testing/app";
import type { Usage } from "../../chat/types";

const { h, ask, deps } = useLoopHarness();
const sentInput = (from = 0) =>
  h.fake.requests.slice(from).reduce((n, r) => n + r.usage!.input_tokens + r.usage!.cache_read_input_tokens + r.usage!.cache_creation_input_tokens, 0);

describe("usage of a reply", () => {
  it("sums a tool loop's model calls, keeps them per model and prices them", async () => {
    const q = await ask("what is 6*7?");
    h.fake.enqueue({ text: "Computing.", tool: { id: "toolu_u1", name: "calculate", input: { expression: "6*7" } } }, { text: "42." });
    const final = await runGeneration(deps(recorder(), { prices: DEFAULT_PRICES }), q.messageId, new AbortController().signal);
    expect(final.status).toBe("complete");
    expect(h.fake.requests).toHaveLength(2);
    const usage = final.metadata.usage!;
    expect(totalInput(usage)).toBe(sentInput());
    expect(usage.outputTokens).toBeGreaterThan(4);
    expect(final.metadata.model).toBe("claude-haiku-4-5");
    expect(final.metadata.usageByModel).toEqual({ "claude-haiku-4-5": usage });
    const price = DEFAULT_PRICES.models["claude-haiku-4-5"];
    const expected = (usage.inputTokens * price.input + usage.outputTokens * price.output + (usage.cacheCreationInputTokens ?? 0) * price.cacheWrite) / 1e6;
    expect(final.metadata.cost).toEqual({ amount: expect.closeTo(expected, 9), currency: "USD" });
    expect(final.metadata.cost).toEqual(costOf(DEFAULT_PRICES, { "claude-haiku-4-5": usage }));
  });

  it("in a tool loop over a long prompt, the call after the tool step reads the prompt the first call wrote", async () => {
    const q = await ask(`Look at these numbers and compute 6*7. ${"12 34 56 78 ".repeat(500)}`);
    h.fake.enqueue({ text: "Computing.", tool: { id: "toolu_u2", name: "calculate", input: { expression: "6*7" } } }, { text: "42." });
    const final = await runGeneration(deps(recorder(), { prices: DEFAULT_PRICES }), q.messageId, new AbortController().signal);
    const [first, second] = h.fake.requests.map((r) => r.usage!);
    expect(first.cache_creation_input_tokens).toBeGreaterThan(1024);
    expect(second.cache_read_input_tokens).toBe(first.cache_creation_input_tokens);
    expect(final.metadata.usage).toMatchObject({ cacheReadInputTokens: second.cache_read_input_tokens });
  });

  it("keeps the input of a reply that failed mid-stream, and adds a Continue's usage to it", async () => {
    const q = await ask("tell me a story");
    h.fake.enqueue({ text: "Once upon a time there was a fox.", chunk: 2, end: "error", failAfter: 10 });
    const failed = await runGeneration(deps(recorder(), { prices: DEFAULT_PRICES }), q.messageId, new AbortController().signal);
    expect(failed.status).toBe("failed");
    const first = failed.metadata.usage as Usage;
    expect(totalInput(first)).toBe(sentInput());
    expect(failed.metadata.cost?.amount).toBeGreaterThan(0);

    await continueReply(testAdmission(h.db.prisma), q.userId, q.messageId);
    const before = h.fake.requests.length;
    h.fake.enqueue({ text: " And it ran away." });
    const done = await runGeneration(deps(recorder(), { prices: DEFAULT_PRICES }), q.messageId, new AbortController().signal);
    expect(done.status).toBe("complete");
    const sum = done.metadata.usage as Usage;
    expect(totalInput(sum)).toBe(totalInput(first) + sentInput(before));
    expect(sum.outputTokens).toBeGreaterThan(first.outputTokens);
    expect(done.metadata.cost!.amount!).toBeGreaterThan(failed.metadata.cost!.amount!);
  });

  it("keeps the input of a reply stopped mid-stream (its output is not reported by the API until the end)", async () => {
    const q = await ask("a long one please");
    h.fake.enqueue({ words: 400, chunk: 3, delayMs: 5 });
    const rec = recorder();
    const ac = new AbortController();
    const running = runGeneration(deps(rec, { prices: DEFAULT_PRICES }), q.messageId, ac.signal);
    await rec.next((e) => e.event === "delta");
    ac.abort();
    const stopped = await running;
    expect(stopped.status).toBe("interrupted");
    expect(totalInput(stopped.metadata.usage!)).toBe(sentInput());
    expect(stopped.metadata.cost?.amount).toBeGreaterThan(0);
  });

  it("prices each model's tokens by that model; a model without a price makes the cost unknown, not 0", async () => {
    const q = await ask("hello");
    h.fake.enqueue({ text: "Hi.", model: "claude-unpriced-9" });
    const final = await runGeneration(deps(recorder(), { prices: DEFAULT_PRICES }), q.messageId, new AbortController().signal);
    expect(final.metadata.model).toBe("claude-unpriced-9");
    expect(final.metadata.usage?.inputTokens).toBeGreaterThan(0);
    expect(final.metadata.cost).toEqual({ amount: null, currency: "USD" });
  });
});
