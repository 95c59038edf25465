// Prompt caching with the real SDK against the fake API (which accounts the
// cache as the API does: lib/testing/fake-anthropic-cache.ts).
import type Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import { runCachedConversation } from "../testing/cache-conversation";
import { totalInput } from "../usage/tokens";
import { withCacheBreakpoints } from "./prompt-cache";

const params = (messages: Anthropic.MessageParam[], extra: Partial<Anthropic.MessageCreateParamsStreaming> = {}): Anthropic.MessageCreateParamsStreaming => ({
  model: "m",
  max_tokens: 10,
  stream: true,
  messages,
  ...extra,
});
const marks = (p: unknown) => JSON.stringify(p).split('"cache_control"').length - 1;

describe("prompt caching", () => {
  it("in a 20-turn conversation, every turn after the first reads most of its prompt from the cache", async () => {
    const run = await runCachedConversation({ turns: 20, promptCaching: true });
    const [first, ...later] = run.turns;
    expect(first.cacheReadInputTokens).toBe(0);
    expect(first.cacheCreationInputTokens).toBeGreaterThan(1024);
    for (const t of later) {
      expect(t.breakpoints).toBeLessThanOrEqual(4);
      expect(t.cacheReadInputTokens! / totalInput(t)).toBeGreaterThan(0.8);
    }
    expect(run.cacheShare).toBeGreaterThan(0.85);
  });

  it("sends no breakpoints when off, and then nothing is read from the cache", async () => {
    const run = await runCachedConversation({ turns: 4, promptCaching: false });
    expect(run.turns.map((t) => [t.breakpoints, t.cacheReadInputTokens])).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
  });

  it("marks the last blocks of the last two user turns and a long system prompt; nothing on a short prompt; the input is not changed", () => {
    const longText = "x".repeat(5000);
    const messages: Anthropic.MessageParam[] = [
      { role: "user", content: longText },
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "t", signature: "s" },
          { type: "text", text: "a" },
        ],
      },
      { role: "user", content: [{ type: "text", text: "q2" }] },
    ];
    const given = params(messages, { system: "y".repeat(5000) });
    const before = JSON.stringify(given);
    const out = withCacheBreakpoints(given);
    expect(JSON.stringify(given)).toBe(before);
    expect(out.system).toEqual([{ type: "text", text: "y".repeat(5000), cache_control: { type: "ephemeral" } }]);
    expect(out.messages[0].content).toEqual([{ type: "text", text: longText, cache_control: { type: "ephemeral" } }]);
    expect(out.messages[1]).toBe(messages[1]);
    expect(out.messages[2].content).toEqual([{ type: "text", text: "q2", cache_control: { type: "ephemeral" } }]);
    expect(marks(out)).toBe(3);
    expect(marks(withCacheBreakpoints(params([{ role: "user", content: "hello" }], { system: "be brief" })))).toBe(0);
    // No system prompt: the tools' end marks the fixed part.
    const tools = [{ name: "t", description: "d".repeat(5000), input_schema: { type: "object" as const } }];
    const withTools = withCacheBreakpoints(params([{ role: "user", content: "hi" }], { tools }));
    expect(withTools.tools?.[0]).toMatchObject({ cache_control: { type: "ephemeral" } });
  });
});
