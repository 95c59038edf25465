// The fake's prompt cache reports what the API would: writes at breakpoints,
// reads of a prefix seen before (also through the 20-block look-back), none
// below the minimum length or after the TTL, 400 past four breakpoints.
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakePromptCache, cacheControlProblem } from "./fake-anthropic-cache";
import { startFakeAnthropic, type FakeAnthropic } from "./fake-anthropic";

const EPH = { type: "ephemeral" as const };
const long = (n: number, seed: string) => `${seed} `.repeat(n);
const user = (text: string, mark = false) => ({ role: "user" as const, content: [{ type: "text" as const, text, ...(mark ? { cache_control: EPH } : {}) }] });
const assistant = (text: string) => ({ role: "assistant" as const, content: [{ type: "text" as const, text }] });

describe("fake prompt cache (accounting)", () => {
  const body = (messages: unknown[], extra: object = {}) => ({ model: "claude-sonnet-5-5", max_tokens: 10, messages, ...extra });

  it("writes the prefix at a breakpoint, then reads it; the rest is uncached input", () => {
    const cache = new FakePromptCache();
    const first = cache.account(body([user(long(3000, "a"), true)]));
    expect(first.cache_read_input_tokens).toBe(0);
    expect(first.cache_creation_input_tokens).toBeGreaterThan(1024);
    expect(first.input_tokens).toBe(0);
    const next = body([user(long(3000, "a")), assistant("ok"), user("and now?", true)]);
    const second = cache.account(next);
    expect(second.cache_read_input_tokens).toBe(first.cache_creation_input_tokens);
    expect(second.cache_creation_input_tokens).toBeGreaterThan(0); // the new turn, up to the moved breakpoint
    expect(second.input_tokens).toBe(0);
    const again = cache.account(next);
    expect(again).toEqual({
      input_tokens: 0,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: second.cache_read_input_tokens + second.cache_creation_input_tokens,
    });
  });

  it("counts no cache without breakpoints, below the minimum, for another model, or after the TTL", () => {
    let now = 0;
    const cache = new FakePromptCache({ now: () => now });
    const plain = cache.account(body([user(long(3000, "b"))]));
    expect(plain).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
    expect(plain.input_tokens).toBeGreaterThan(1024);
    expect(cache.account(body([user("short", true)]))).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
    expect(cache.account(body([user("short", true)]))).toMatchObject({ cache_read_input_tokens: 0 });
    const b = body([user(long(3000, "c"), true)]);
    cache.account(b);
    expect(cache.account({ ...b, model: "claude-opus-5-5" }).cache_read_input_tokens).toBe(0);
    now += 4 * 60_000;
    expect(cache.account(b).cache_read_input_tokens).toBeGreaterThan(0); // a read refreshes the 5-minute TTL
    now += 4 * 60_000;
    expect(cache.account(b).cache_read_input_tokens).toBeGreaterThan(0);
    now += 6 * 60_000;
    expect(cache.account(b)).toMatchObject({ cache_read_input_tokens: 0 });
  });

  it("a change of thinking or tool_choice invalidates the cached messages, not the tools before them", () => {
    const cache = new FakePromptCache();
    const tools = [{ name: "t", description: long(1500, "tool"), input_schema: { type: "object" }, cache_control: EPH }];
    const messages = [user(long(3000, "f"), true)];
    const first = cache.account(body(messages, { tools }));
    const toolsOnly = cache.account(body([user("x")], { tools })).cache_read_input_tokens;
    expect(toolsOnly).toBeGreaterThan(1024);
    expect(cache.account(body(messages, { tools })).cache_read_input_tokens).toBe(first.cache_creation_input_tokens);
    expect(cache.account(body(messages, { tools, tool_choice: { type: "none" } })).cache_read_input_tokens).toBe(toolsOnly);
    expect(cache.account(body(messages, { tools, thinking: { type: "adaptive" } })).cache_read_input_tokens).toBe(toolsOnly);
  });

  it("finds a prefix up to 20 blocks before a breakpoint, not further", () => {
    const cache = new FakePromptCache();
    const head = [user(long(3000, "d"), true)];
    cache.account(body(head));
    const turns = (n: number) => Array.from({ length: n }, (_, i) => [assistant(`a${i}`), user(`u${i}`)]).flat();
    const near = [...head.map((m) => user(m.content[0].text)), ...turns(10)];
    near[near.length - 1] = user("u9", true);
    expect(cache.account(body(near)).cache_read_input_tokens).toBeGreaterThan(1024);
    const fresh = new FakePromptCache();
    fresh.account(body(head));
    const far = [...head.map((m) => user(m.content[0].text)), ...turns(11)];
    far[far.length - 1] = user("u10", true);
    expect(fresh.account(body(far)).cache_read_input_tokens).toBe(0);
  });

  it("takes breakpoints on tools and system blocks; refuses a fifth, a wrong type and thinking blocks", () => {
    const tools = [{ name: "t", description: long(3000, "tool"), input_schema: { type: "object" }, cache_control: EPH }];
    const cache = new FakePromptCache();
    const first = cache.account(body([user("hi")], { tools }));
    expect(first.cache_creation_input_tokens).toBeGreaterThan(1024);
    const system = [{ type: "text", text: long(3000, "sys"), cache_control: EPH }];
    expect(cache.account(body([user("other")], { tools, system })).cache_read_input_tokens).toBe(first.cache_creation_input_tokens);
    const five = Array.from({ length: 5 }, (_, i) => user(`m${i}`, true));
    expect(cacheControlProblem(body(five))).toBe("A maximum of 4 blocks with cache_control may be provided. Found 5.");
    expect(cacheControlProblem(body(five.slice(1)))).toBeUndefined();
    expect(cacheControlProblem(body([{ role: "user", content: [{ type: "text", text: "x", cache_control: { type: "forever" } }] }]))).toMatch(/ephemeral/);
    const thinking = { role: "assistant", content: [{ type: "thinking", thinking: "t", signature: "s", cache_control: EPH }] };
    expect(cacheControlProblem(body([user("q"), thinking, user("r")]))).toMatch(/thinking/);
  });
});

describe("fake prompt cache (through the SDK)", () => {
  let fake: FakeAnthropic;
  let client: Anthropic;
  beforeAll(async () => {
    fake = await startFakeAnthropic();
    client = new Anthropic({ apiKey: "k", baseURL: fake.url, maxRetries: 0 });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it("reports cache tokens in message_start and cumulative usage in message_delta, like the API", async () => {
    const messages = [user(long(3000, "e"), true)];
    const events: Anthropic.RawMessageStreamEvent[] = [];
    // Copied as they arrive: the SDK updates the message_start object as the stream goes on.
    for await (const ev of client.messages.stream({ model: "claude-sonnet-5-5", max_tokens: 100, messages })) events.push(structuredClone(ev));
    const start = events.find((e) => e.type === "message_start");
    const delta = events.find((e) => e.type === "message_delta");
    expect(start?.type === "message_start" && start.message.usage).toMatchObject({ input_tokens: 0, output_tokens: 1, cache_read_input_tokens: 0 });
    const written = fake.requests[0].usage!.cache_creation_input_tokens;
    expect(written).toBeGreaterThan(1024);
    expect(delta?.type === "message_delta" && delta.usage).toMatchObject({ cache_creation_input_tokens: written, output_tokens: expect.any(Number) });
    const final = await client.messages.stream({ model: "claude-sonnet-5-5", max_tokens: 100, messages }).finalMessage();
    expect(final.usage).toMatchObject({ input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: written });
  });

  it("answers the API's 400 to a fifth breakpoint", async () => {
    const messages = Array.from({ length: 5 }, (_, i) => [user(`m${i}`, true), assistant("ok")])
      .flat()
      .slice(0, -1);
    const err = await client.messages.create({ model: "claude-sonnet-5-5", max_tokens: 10, messages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as InstanceType<typeof Anthropic.BadRequestError>).message).toContain("A maximum of 4 blocks with cache_control may be provided. Found 5.");
  });
});
