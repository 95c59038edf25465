// Thinking and tool configuration as the real SDK sends it to the (fake) API.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../testing/fake-anthropic";
import { AnthropicProvider } from "./anthropic";
import { createProvider } from "./index";
import { parseConfig } from "../config";

const getProvider = (env: Record<string, string>) => createProvider(parseConfig(env).provider);
import { DEMO_SIGNATURE_PREFIX, resolveThinking, thinkingSupport } from "./thinking";
import type { ChatTurn, ProviderEvent } from "./types";

describe("thinking per model", () => {
  it.each([
    ["claude-sonnet-5-5", "adaptive_only"],
    ["claude-opus-4-7", "adaptive_only"],
    ["claude-mythos-preview", "adaptive_only"],
    ["claude-sonnet-4-6", "adaptive_or_budget"],
    ["claude-opus-4-6-20260201", "adaptive_or_budget"],
    ["claude-haiku-4-5", "budget_only"],
    ["claude-sonnet-4-5-20250929", "budget_only"],
    ["claude-3-7-sonnet-20250219", "budget_only"],
    ["claude-3-5-haiku-20241022", "none"],
    ["claude-3-opus-20240229", "none"],
    ["some-proxy-model", "unknown"],
  ])("%s → %s", (model, support) => {
    expect(thinkingSupport(model)).toBe(support);
  });

  it("auto is adaptive where supported and off elsewhere; explicit modes fall back to what the model takes", () => {
    const r = (model: string, mode: Parameters<typeof resolveThinking>[1], budget = 8192) => resolveThinking(model, mode, budget, 4096);
    expect(r("claude-sonnet-5-5", "auto")).toEqual({ param: { type: "adaptive", display: "summarized" }, maxTokens: 4096 + 8192 });
    expect(r("claude-haiku-4-5", "auto")).toEqual({ maxTokens: 4096 });
    expect(r("some-proxy-model", "auto")).toEqual({ maxTokens: 4096 });
    expect(r("claude-haiku-4-5", "enabled", 2000)).toEqual({ param: { type: "enabled", budget_tokens: 2000 }, maxTokens: 6096 });
    expect(r("claude-haiku-4-5", "adaptive", 2000).param).toEqual({ type: "enabled", budget_tokens: 2000 });
    expect(r("claude-opus-4-7", "enabled").param).toEqual({ type: "adaptive", display: "summarized" });
    expect(r("claude-sonnet-4-6", "enabled", 10).param).toEqual({ type: "enabled", budget_tokens: 1024 }); // the API's floor
    expect(r("claude-3-5-haiku-20241022", "enabled")).toEqual({ maxTokens: 4096 });
    expect(r("claude-sonnet-5-5", "off")).toEqual({ maxTokens: 4096 });
    expect(parseConfig({}).provider.thinking).toBe("auto");
    expect(parseConfig({ ANTHROPIC_THINKING: " Enabled " }).provider.thinking).toBe("enabled");
    expect(() => parseConfig({ ANTHROPIC_THINKING: "always" })).toThrow(/ANTHROPIC_THINKING/);
  });

  it("prefill is off whenever thinking is on", () => {
    expect(new AnthropicProvider({ model: "claude-haiku-4-5" }).supportsPrefill).toBe(true);
    expect(new AnthropicProvider({ model: "claude-haiku-4-5", thinking: "enabled" }).supportsPrefill).toBe(false);
    expect(new AnthropicProvider({ model: "claude-sonnet-4-5", thinking: "off" }).supportsPrefill).toBe(true);
    expect(new AnthropicProvider({ model: "claude-sonnet-5-5", thinking: "off" }).supportsPrefill).toBe(false); // 4.6+ refuse prefill anyway
  });

  it("reads ANTHROPIC_THINKING, ANTHROPIC_THINKING_BUDGET and ANTHROPIC_MAX_TOKENS", () => {
    const key = `sk-${randomUUID()}`;
    const p = getProvider({ ANTHROPIC_API_KEY: key, ANTHROPIC_MODEL: "claude-haiku-4-5", ANTHROPIC_THINKING: "enabled", ANTHROPIC_THINKING_BUDGET: "3000" });
    expect(p.supportsPrefill).toBe(false);
    expect(() => getProvider({ ANTHROPIC_API_KEY: key, ANTHROPIC_THINKING: "maybe" })).toThrow(/ANTHROPIC_THINKING/);
    expect(() => getProvider({ ANTHROPIC_API_KEY: key, ANTHROPIC_MAX_TOKENS: "-1" })).toThrow(/ANTHROPIC_MAX_TOKENS/);
  });
});

describe("thinking and tools on the wire", () => {
  let fake: FakeAnthropic;
  beforeAll(async () => {
    fake = await startFakeAnthropic();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => fake.reset());

  const ask: ChatTurn[] = [{ role: "user", parts: [{ type: "text", text: "hi" }] }];
  async function send(p: AnthropicProvider, turns = ask, extra = {}) {
    const evs: ProviderEvent[] = [];
    for await (const ev of p.stream({ turns, signal: new AbortController().signal, ...extra })) evs.push(ev);
    return evs;
  }

  it("sends budget thinking with max_tokens above the budget, and a per-request override", async () => {
    const p = new AnthropicProvider({ apiKey: "k", baseURL: fake.url, model: "claude-haiku-4-5", thinking: "enabled", thinkingBudget: 2048, maxTokens: 1000 });
    await send(p);
    expect(fake.requests[0].status).toBe(200);
    expect(fake.requests[0].body).toMatchObject({ thinking: { type: "enabled", budget_tokens: 2048 }, max_tokens: 3048 });
    await send(p, ask, { thinking: "off" });
    expect(fake.requests[1].body.thinking).toBeUndefined();
    expect(fake.requests[1].body.max_tokens).toBe(1000);
  });

  it("sends tools as custom tools, and tool_choice none when tool use is off", async () => {
    const p = new AnthropicProvider({ apiKey: "k", baseURL: fake.url, model: "claude-haiku-4-5" });
    const tools = [{ name: "calculate", description: "Math", inputSchema: { type: "object", properties: { expression: { type: "string" } }, required: ["expression"] } }];
    await send(p, ask, { tools });
    await send(p, ask, { tools, toolChoice: "none" });
    expect(fake.requests[0].body.tools).toEqual([{ name: "calculate", description: "Math", input_schema: tools[0].inputSchema }]);
    expect(fake.requests[0].body.tool_choice).toBeUndefined();
    expect(fake.requests[1].body.tool_choice).toEqual({ type: "none" });
  });

  it("never sends the demo model's fake signatures to the real API", async () => {
    const turns: ChatTurn[] = [
      { role: "user", parts: [{ type: "text", text: "think" }] },
      {
        role: "assistant",
        parts: [
          { type: "thinking", thinking: "demo thoughts", signature: `${DEMO_SIGNATURE_PREFIX}abc` },
          { type: "text", text: "Demo answer" },
        ],
      },
      { role: "user", parts: [{ type: "text", text: "now for real" }] },
    ];
    await send(new AnthropicProvider({ apiKey: "k", baseURL: fake.url, model: "claude-haiku-4-5" }), turns);
    expect(fake.requests[0].body.messages[1]).toEqual({ role: "assistant", content: [{ type: "text", text: "Demo answer" }] });
  });
});
