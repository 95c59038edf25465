// The real SDK against the local fake server, one fresh server per test.
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../testing/fake-anthropic";
import { AnthropicProvider } from "./anthropic";
import type { ChatRequest, ChatTurn, ProviderEvent } from "./types";

let fake: FakeAnthropic;
beforeEach(async () => {
  fake = await startFakeAnthropic();
});
afterEach(async () => {
  await fake.close();
});

const provider = (opts: Partial<ConstructorParameters<typeof AnthropicProvider>[0]> = {}) =>
  new AnthropicProvider({ apiKey: "test-key", baseURL: fake.url, retryDelayMs: 1, ...opts });

const ask = (text: string): ChatTurn[] => [{ role: "user", parts: [{ type: "text", text }] }];

async function collect(p: AnthropicProvider, req: Partial<ChatRequest> = {}) {
  const events: ProviderEvent[] = [];
  const full: ChatRequest = { turns: ask(`hello ${randomUUID()}`), signal: new AbortController().signal, ...req };
  for await (const ev of p.stream(full)) events.push(ev);
  return events;
}

const textOf = (evs: ProviderEvent[]) => evs.map((e) => (e.type === "text_delta" ? e.text : "")).join("");
const types = (evs: ProviderEvent[]) => evs.map((e) => e.type);
const errorOf = (evs: ProviderEvent[]) => evs.find((e) => e.type === "error");

const TRICKY = "Héllo 👩‍💻🇫🇷 世界 한국어 e\u0301 a\u0308 ZWJ:\u200d ∑ \u2028sep\n" + 'data: {"not":"an event"}\n\nid: 42\nevent: error\r\n: comment\r\rretry: 1\n\n\n';

describe("AnthropicProvider streaming against the fake API", () => {
  it("reassembles text byte for byte, whatever the chunking and content", async () => {
    const text = `${TRICKY}${randomUUID()} 🎉`;
    fake.enqueue({ text, chunk: [1, 2, 3, 5, 1, 8] });
    const evs = await collect(provider({ model: "claude-test-model" }));

    expect(textOf(evs)).toBe(text);
    expect(evs.filter((e) => e.type === "text_delta").length).toBeGreaterThan(10);
    expect(evs[0]).toMatchObject({ type: "message_start", model: "claude-test-model" });
    expect(evs[1]).toEqual({ type: "block_start", index: 0, block: { type: "text" } });
    expect(evs.at(-2)).toEqual({ type: "block_stop", index: 0 });
    const stop = evs.at(-1);
    expect(stop).toMatchObject({ type: "message_stop", stopReason: "end_turn" });
    expect(stop?.type === "message_stop" && stop.usage.outputTokens).toBeGreaterThan(1);
    expect(fake.requests).toHaveLength(1);
  });

  it("streams thinking with its signature, then text, re-indexed in order", async () => {
    const thinking = `Pondering ${randomUUID()} — 思考中…`;
    fake.enqueue({ thinking, text: "Answer ✓", chunk: 3 });
    const evs = await collect(provider());

    const thinkingText = evs.map((e) => (e.type === "thinking_delta" ? e.thinking : "")).join("");
    expect(thinkingText).toBe(thinking);
    expect(evs.find((e) => e.type === "block_start" && e.index === 0)).toMatchObject({ block: { type: "thinking" } });
    expect(evs.find((e) => e.type === "signature")).toMatchObject({ index: 0, signature: expect.stringMatching(/^sig_/) });
    expect(evs.find((e) => e.type === "block_start" && e.index === 1)).toMatchObject({ block: { type: "text" } });
    expect(textOf(evs)).toBe("Answer ✓");
  });

  it("streams tool input fragments that join into the exact JSON input", async () => {
    const input = { city: "São Paulo", id: randomUUID(), nested: { list: [1, "二", { ok: true }] }, quote: 'a "b" \\ c' };
    fake.enqueue({ text: "", tool: { id: "toolu_123", name: "lookup", input }, chunk: [1, 4] });
    const evs = await collect(provider());

    expect(evs[1]).toEqual({ type: "block_start", index: 0, block: { type: "tool_use", id: "toolu_123", name: "lookup" } });
    const fragments = evs.flatMap((e) => (e.type === "input_json_delta" ? [e.json] : []));
    expect(fragments.length).toBeGreaterThan(5);
    expect(JSON.parse(fragments.join(""))).toEqual(input);
    expect(evs.at(-1)).toMatchObject({ type: "message_stop", stopReason: "tool_use" });
  });

  it.each([529, 500, 429])("retries HTTP %i before the stream starts, invisibly", async (status) => {
    const text = `recovered ${randomUUID()}`;
    fake.enqueue({ status, times: 2, text });
    const evs = await collect(provider());

    expect(fake.requests.map((r) => r.status)).toEqual([status, status, 200]);
    expect(errorOf(evs)).toBeUndefined();
    expect(textOf(evs)).toBe(text);
  });

  it.each([
    [529, "upstream_overloaded"],
    [500, "upstream_error"],
    [429, "upstream_rate_limited"],
  ] as const)("gives up on a persistent HTTP %i with %s", async (status, code) => {
    fake.setScenario({ status });
    const evs = await collect(provider());
    expect(fake.requests).toHaveLength(3); // the SDK's 2 retries, and none of ours on top
    expect(evs).toEqual([{ type: "error", code, message: expect.any(String) }]);
  });

  it("maps 401 to upstream_auth and 400 to upstream_bad_request with upstream's message", async () => {
    fake.enqueue({ status: 401 });
    const auth = await collect(provider());
    expect(errorOf(auth)).toMatchObject({ code: "upstream_auth", message: expect.stringContaining("API key is invalid") });

    const why = `max_tokens: too large ${randomUUID()}`;
    fake.enqueue({ status: 400, errorMessage: why });
    const bad = await collect(provider());
    expect(errorOf(bad)).toMatchObject({ code: "upstream_bad_request", message: expect.stringContaining(why) });
    expect(fake.requests).toHaveLength(2); // 4xx is never retried
  });

  it("ends with an error after partial text on a mid-stream error event, without retrying", async () => {
    const text = `partial ${randomUUID()} ✂️`;
    fake.enqueue({ text, end: "error" });
    const evs = await collect(provider());

    expect(textOf(evs)).toBe(text);
    expect(evs.at(-1)).toMatchObject({ type: "error", code: "upstream_overloaded" });
    expect(types(evs)).not.toContain("message_stop");
    expect(fake.requests).toHaveLength(1);
  });

  it("retries an error that strikes after message_start but before any content, leaving no trace", async () => {
    const text = `second try ${randomUUID()}`;
    fake.enqueue({ text, end: "error", failAfter: 0, times: 1 });
    const evs = await collect(provider());

    expect(fake.requests.map((r) => r.outcome)).toEqual(["error_event", "streamed"]);
    expect(types(evs).filter((t) => t === "message_start")).toHaveLength(1);
    expect(errorOf(evs)).toBeUndefined();
    expect(textOf(evs)).toBe(text);
  });

  it("stops retrying pre-content failures after two retries", async () => {
    fake.setScenario({ end: "error", failAfter: 0 });
    const evs = await collect(provider());
    expect(fake.requests).toHaveLength(3);
    expect(types(evs)).toEqual(["message_start", "error"]); // one message_start: the retried attempts leave no trace
    expect(errorOf(evs)).toMatchObject({ code: "upstream_overloaded" });
  });

  it("reports a dropped socket as upstream_connection after the partial text", async () => {
    const text = `dropped ${randomUUID()}`;
    fake.enqueue({ text, end: "drop" });
    const evs = await collect(provider());
    expect(textOf(evs)).toBe(text);
    expect(evs.at(-1)).toMatchObject({ type: "error", code: "upstream_connection" });
    expect(fake.requests).toHaveLength(1);
  });

  it("reports a clean end without message_stop as upstream_incomplete", async () => {
    const text = `cut ${randomUUID()}`;
    fake.enqueue({ text, end: "eof" });
    const evs = await collect(provider());
    expect(textOf(evs)).toBe(text);
    expect(evs.at(-1)).toMatchObject({ type: "error", code: "upstream_incomplete" });
  });

  it("times out a stalled stream, closing the upstream request", async () => {
    const text = `stall ${randomUUID()}`;
    fake.enqueue({ text, end: "stall" });
    const evs = await collect(provider(), { idleTimeoutMs: 150 });

    expect(textOf(evs)).toBe(text);
    expect(evs.at(-1)).toMatchObject({ type: "error", code: "upstream_timeout" });
    await fake.requests[0].closed;
    expect(fake.requests[0]).toMatchObject({ outcome: "stalled", aborted: true });
  });

  it("ends promptly and silently on abort, and the upstream socket closes", async () => {
    fake.enqueue({ words: 3000, chunk: 3, delayMs: 20 }); // ~20 s if read to the end
    const ac = new AbortController();
    const evs: ProviderEvent[] = [];
    let abortedAt = 0;
    for await (const ev of provider().stream({ turns: ask(randomUUID()), signal: ac.signal })) {
      evs.push(ev);
      if (ev.type === "text_delta" && !abortedAt && evs.filter((e) => e.type === "text_delta").length === 3) {
        abortedAt = performance.now();
        ac.abort();
      }
    }
    const elapsed = performance.now() - abortedAt;

    expect(abortedAt).toBeGreaterThan(0);
    expect(elapsed).toBeLessThan(10_000); // generous (a busy machine), yet far from reading the whole reply
    expect(types(evs)).not.toContain("error");
    expect(evs.filter((e) => e.type === "text_delta")).toHaveLength(3);
    await fake.requests[0].closed;
    expect(fake.requests[0].aborted).toBe(true);
  });

  it("closes the upstream request when the consumer stops iterating", async () => {
    fake.enqueue({ words: 400, delayMs: 10 });
    for await (const ev of provider().stream({ turns: ask(randomUUID()), signal: new AbortController().signal })) {
      if (ev.type === "text_delta") break;
    }
    await fake.requests[0].closed;
    expect(fake.requests[0].aborted).toBe(true);
  });

  it("does nothing when already aborted, and needs a key", async () => {
    const ac = new AbortController();
    ac.abort();
    expect(await collect(provider(), { signal: ac.signal })).toEqual([]);
    const noKey = await collect(new AnthropicProvider({ baseURL: fake.url }));
    expect(noKey).toEqual([{ type: "error", code: "upstream_auth", message: expect.stringContaining("ANTHROPIC_API_KEY") }]);
    expect(fake.requests).toHaveLength(0);
  });
});

describe("AnthropicProvider request conversion", () => {
  it("sends turns as Anthropic content blocks, keeping signatures and tool results", async () => {
    const sig = `sig-${randomUUID()}`;
    const turns: ChatTurn[] = [
      { role: "user", parts: [{ type: "text", text: "What's the weather in Oslo? ❄️" }] },
      {
        role: "assistant",
        parts: [
          { type: "thinking", thinking: "Need the weather tool.", signature: sig },
          { type: "redacted_thinking", data: "opaque==" },
          { type: "text", text: "" },
          { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Oslo" } },
        ],
      },
      { role: "user", parts: [{ type: "tool_result", toolUseId: "toolu_1", content: "-3 °C", isError: false }] },
      { role: "assistant", parts: [{ type: "thinking", thinking: "cut off mid-thought" }] },
      { role: "user", parts: [{ type: "text", text: "Thanks!" }] },
    ];
    await collect(provider({ model: "claude-x" }), { turns, system: "Be brief.", maxTokens: 123 });

    const [req] = fake.requests;
    expect(req.path).toBe("/v1/messages");
    expect(req.headers.authorization).toBe("Bearer test-key");
    expect(req.headers["anthropic-version"]).toBeTruthy();
    expect(req.body).toEqual({
      model: "claude-x",
      max_tokens: 123,
      stream: true,
      system: "Be brief.",
      messages: [
        { role: "user", content: [{ type: "text", text: "What's the weather in Oslo? ❄️" }] },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "Need the weather tool.", signature: sig },
            { type: "redacted_thinking", data: "opaque==" },
            { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Oslo" } },
          ],
        },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "-3 °C", is_error: false }] },
        { role: "user", content: [{ type: "text", text: "Thanks!" }] },
      ],
    });
  });

  it("defaults to a current Sonnet with adaptive thinking, 4096 tokens of reply room plus the thinking budget", async () => {
    await collect(provider({ model: undefined }));
    expect(fake.requests[0].body).toMatchObject({
      model: "claude-sonnet-5-5",
      max_tokens: 4096 + 8192,
      thinking: { type: "adaptive", display: "summarized" },
    });
  });
});
