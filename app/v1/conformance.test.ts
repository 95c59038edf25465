// SDK conformance of the gateway (issue 18, docs/GATEWAY.md): the real
// @anthropic-ai/sdk sends each request shape twice, once through Tether's
// POST /v1/messages (served over real HTTP) and once straight to the fake
// Anthropic server the gateway itself calls, streaming and not; what the SDK
// assembles must be the same both ways: content blocks (text, thinking and its
// signature, redacted thinking, tool calls), stop_reason, stop_sequence,
// usage, model, role, type, and, streaming, the helper events in order. The
// request the fake received through the gateway must be the client's, as
// written: the gateway adds nothing, drops nothing, runs no tools itself.
// Errors, keys, unsupported routes and byte-exact text: conformance-errors.test.ts.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type Anthropic from "@anthropic-ai/sdk";
import { useRouteHarness } from "@/lib/testing/route-harness";
import { useGatewayClients } from "@/lib/testing/gateway-clients";
import type { RecordedRequest, Scenario } from "@/lib/testing/fake-anthropic";
import { pdf, png } from "@/lib/testing/file-bytes";

const h = useRouteHarness("sdk-conformance", { MESSAGE_RATE_LIMIT: "0" });
const c = useGatewayClients(h);

type Params = Anthropic.MessageCreateParamsNonStreaming;
type Shape = {
  name: string;
  params: Params;
  /** What the fake answers; its tool calls get fresh ids for every request. */
  reply: Scenario;
  /** Asked once before through the same client, so the prompt cache is warm. */
  warm?: boolean;
  /** What the gateway's message must show, so that the comparison is not between two empty answers. */
  expect: Partial<Record<keyof Anthropic.Message, unknown>>;
};

const MODEL = "claude-haiku-4-5";
const user = (content: Anthropic.MessageParam["content"]): Anthropic.MessageParam => ({ role: "user", content });
const ask = (content: Anthropic.MessageParam["content"], more: Partial<Params> = {}): Params => ({ model: MODEL, max_tokens: 1024, messages: [user(content)], ...more });
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

const TOOLS: Anthropic.Tool[] = [
  { name: "get_weather", description: "Weather for a city", input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
  // Tether's own tool's name: a client's tool of that name is the client's to run, never Tether's.
  { name: "calculate", input_schema: { type: "object", properties: { expression: { type: "string" } } } },
];
const LONG_SYSTEM = "You are a meticulous assistant who answers in one sentence. ".repeat(120); // > 1024 fake tokens: cacheable
const CACHED_SYSTEM: Anthropic.TextBlockParam[] = [
  { type: "text", text: LONG_SYSTEM, cache_control: { type: "ephemeral" } },
  { type: "text", text: "Today is Tuesday." },
];
const THINKING = { type: "enabled", budget_tokens: 1024 } as const;
const PRIOR_CALL = { type: "tool_use", id: "toolu_01PriorCallFromHistory", name: "get_weather", input: { city: "Paris" } } as const;

const SHAPES: Shape[] = [
  { name: "string content", params: ask("Hello there"), reply: { text: "Hi! How can I help?" }, expect: { stop_reason: "end_turn" } },
  {
    name: "content blocks",
    params: ask([
      { type: "text", text: "First block." },
      { type: "text", text: "Second block." },
    ]),
    reply: { text: "Two blocks read." },
    expect: { content: [{ type: "text", text: "Two blocks read." }] },
  },
  { name: "system as a string", params: ask("Hi", { system: "Answer in French." }), reply: { text: "Bonjour !" }, expect: { content: [{ text: "Bonjour !" }] } },
  {
    name: "system as text blocks with cache_control (cache written)",
    params: ask("Hi", { system: CACHED_SYSTEM }),
    reply: { text: "Cached." },
    expect: { usage: expect.objectContaining({ cache_creation_input_tokens: expect.any(Number), cache_read_input_tokens: 0 }) },
  },
  {
    name: "system as text blocks with cache_control (cache read)",
    params: ask("Hi", { system: CACHED_SYSTEM }),
    warm: true,
    reply: { text: "Read from the cache." },
    expect: { usage: expect.objectContaining({ cache_creation_input_tokens: 0, cache_read_input_tokens: expect.any(Number) }) },
  },
  {
    name: "multi-turn history with an assistant turn",
    params: { model: MODEL, max_tokens: 1024, messages: [user("My name is Ada."), { role: "assistant", content: "Nice to meet you, Ada." }, user("What is my name?")] },
    reply: { text: "Your name is Ada." },
    expect: { content: [{ text: "Your name is Ada." }] },
  },
  {
    name: "client tools and tool_choice: the tool call comes back, unrun",
    params: ask("What is 6 * 7? Use the tool.", { tools: TOOLS, tool_choice: { type: "tool", name: "calculate" } }),
    reply: { text: "Calculating.", tool: { name: "calculate", input: { expression: "6 * 7" } }, chunk: 3 },
    expect: { stop_reason: "tool_use", content: [{ type: "text" }, { type: "tool_use", name: "calculate", input: { expression: "6 * 7" } }] },
  },
  {
    name: "two tool calls in one answer, no text, one with an empty input",
    params: ask("Weather and a sum.", { tools: TOOLS }),
    reply: {
      blocks: [
        { type: "tool_use", name: "get_weather", input: { city: "Zürich" } },
        { type: "tool_use", name: "calculate", input: {} },
      ],
    },
    expect: { stop_reason: "tool_use", content: [{ name: "get_weather" }, { name: "calculate", input: {} }] },
  },
  {
    name: "tool follow-up: the assistant's tool_use and the user's tool_result",
    params: {
      model: MODEL,
      max_tokens: 1024,
      tools: TOOLS,
      tool_choice: { type: "auto" },
      messages: [
        user("Weather in Paris?"),
        { role: "assistant", content: [{ type: "text", text: "Checking." }, PRIOR_CALL] },
        user([{ type: "tool_result", tool_use_id: PRIOR_CALL.id, content: "18°C, clear" }]),
      ],
    },
    reply: { text: "It is 18°C and clear in Paris." },
    expect: { stop_reason: "end_turn" },
  },
  {
    name: "thinking with its signature",
    params: ask("Think first.", { max_tokens: 2048, thinking: THINKING }),
    reply: { thinking: "Step one, step two. 🤔", text: "Done thinking." },
    expect: { content: [{ type: "thinking", signature: expect.stringMatching(/^sig_/) }, { type: "text" }] },
  },
  {
    name: "thinking, redacted thinking, text and a tool call",
    params: ask("Weather in Oslo?", { max_tokens: 2048, thinking: THINKING, tools: TOOLS }),
    reply: {
      blocks: [
        { type: "thinking", thinking: "The user wants Oslo's weather.", signature: "sig_first_block" },
        { type: "redacted_thinking", data: "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIw" },
        { type: "text", text: "Let me check." },
        { type: "tool_use", name: "get_weather", input: { city: "Oslo", note: "ünïcode ✓" } },
      ],
    },
    expect: { stop_reason: "tool_use", content: [{ type: "thinking" }, { type: "redacted_thinking" }, { type: "text" }, { type: "tool_use" }] },
  },
  {
    name: "an image block (base64)",
    params: ask([
      { type: "image", source: { type: "base64", media_type: "image/png", data: b64(png(2, 2)) } },
      { type: "text", text: "What colour is this?" },
    ]),
    reply: { text: "Blue-ish." },
    expect: { content: [{ text: "Blue-ish." }] },
  },
  {
    name: "a PDF document block (base64)",
    params: ask([
      { type: "document", source: { type: "base64", media_type: "application/pdf", data: b64(pdf(1, "conformance")) } },
      { type: "text", text: "Summarise." },
    ]),
    reply: { text: "An empty page." },
    expect: { content: [{ text: "An empty page." }] },
  },
  {
    name: "stop_sequences: stopped on one, named in stop_sequence",
    params: ask("Count.", { stop_sequences: ["END", "STOP"] }),
    reply: { text: "one two STOP three END" },
    expect: { stop_reason: "stop_sequence", stop_sequence: "STOP", content: [{ text: "one two " }] },
  },
  {
    name: "temperature, top_p, top_k and metadata.user_id; stopped by max_tokens",
    // SDK 1.12's types no longer list the sampling parameters (deprecated), but it sends them, and so must the gateway.
    params: ask("Be random.", { max_tokens: 5, ...({ temperature: 0.3, top_p: 0.9, top_k: 40 } as Partial<Params>), metadata: { user_id: "user-1234" } }),
    reply: { text: "Randomly cut", stopReason: "max_tokens" },
    expect: { stop_reason: "max_tokens" },
  },
  {
    name: "a final assistant prefill",
    params: { model: MODEL, max_tokens: 1024, messages: [user("Paris weather as JSON?"), { role: "assistant", content: '{"city":' }] },
    reply: { text: '{"city": "Paris", "temp": 18}' },
    expect: { content: [{ type: "text", text: ' "Paris", "temp": 18}' }] },
  },
];

type HelperEvent = [kind: string, ...args: unknown[]];
type Outcome = { message: Anthropic.Message; events: HelperEvent[]; upstream: RecordedRequest; sentToolIds: string[] };

/** `s` with a fresh id on each tool call (noted in `sent`), so an id shows which upstream answer it came from. */
function withFreshToolIds(s: Scenario, sent: string[]): Scenario {
  const fresh = () => {
    sent.push(`toolu_${randomUUID().replaceAll("-", "")}`);
    return sent.at(-1)!;
  };
  if (s.tool) return { ...s, tool: { ...s.tool, id: fresh() } };
  if (s.blocks) return { ...s, blocks: s.blocks.map((b) => (b.type === "tool_use" ? { ...b, id: fresh() } : b)) };
  return s;
}

/** One request of `shape` through `client`, and the one upstream request it caused. */
async function exchange(client: Anthropic, streaming: boolean, shape: Shape): Promise<Outcome> {
  h.fake.reset(); // every call meets the same fake: empty queue, empty prompt cache
  if (shape.warm) await client.messages.create(shape.params);
  const before = h.fake.requests.length;
  const sentToolIds: string[] = [];
  h.fake.enqueue(() => withFreshToolIds(shape.reply, sentToolIds));
  const events: HelperEvent[] = [];
  let message: Anthropic.Message;
  if (streaming) {
    const stream = client.messages.stream(shape.params);
    stream.on("text", (delta, snapshot) => events.push(["text", delta, snapshot]));
    stream.on("thinking", (delta, snapshot) => events.push(["thinking", delta, snapshot]));
    stream.on("signature", (signature) => events.push(["signature", signature]));
    stream.on("inputJson", (delta, snapshot) => events.push(["inputJson", delta, snapshot]));
    stream.on("contentBlock", (block) => events.push(["contentBlock", block]));
    message = await stream.finalMessage();
  } else {
    message = await client.messages.create(shape.params);
  }
  const upstream = h.fake.requests.slice(before);
  // One upstream request per request: the gateway runs no tool, retries nothing, continues nothing.
  expect(upstream).toHaveLength(1);
  return { message, events, upstream: upstream[0], sentToolIds };
}

const toolIds = (m: Anthropic.Message) => m.content.flatMap((b) => (b.type === "tool_use" ? [b.id] : []));

/**
 * A content block as compared. Normalized, and only this: a tool call's id,
 * random per upstream answer (checked against what the fake sent before this),
 * becomes its place among the calls; and a text block's `citations: null`
 * goes: the fake's content_block_start carries it, the gateway's (like the
 * real API's stream) leaves it out; to a client both say "no citations".
 */
function block(b: unknown, sent: string[]): unknown {
  const x = b as Record<string, unknown>;
  if (x.type === "tool_use") return { ...x, id: `tool call #${sent.indexOf(x.id as string)}` };
  if (x.type === "text" && x.citations === null) {
    const { citations: _none, ...rest } = x;
    return rest;
  }
  return x;
}

/** The message as compared: the id (the gateway's is its reply's, msg_<uuid>) left out, blocks normalized. Key order never matters (toEqual). */
const comparable = (o: Outcome) => ({ ...o.message, id: "(per request)", content: o.message.content.map((b) => block(b, o.sentToolIds)) });

/**
 * The helper events as compared: in order, but consecutive deltas of one kind
 * joined (their last snapshot kept). Where a delta splits is no part of the
 * API's contract, and Tether joins deltas that reach it in one read
 * (lib/reply/generation/coalesce.ts), so the split depends on the machine.
 */
function helperEvents(o: Outcome): HelperEvent[] {
  const out: HelperEvent[] = [];
  for (const [kind, a, b] of o.events) {
    const last = out.at(-1);
    if (kind === "contentBlock") out.push([kind, block(a, o.sentToolIds)]);
    else if (kind === "signature") out.push([kind, a]);
    else if (last?.[0] === kind) out[out.length - 1] = [kind, `${last[1] as string}${a as string}`, b];
    else out.push([kind, a, b]);
  }
  return out;
}

/** The upstream body without `stream`: the gateway always streams from upstream (true), whatever its client asked. */
function sentUpstream(o: Outcome): Record<string, unknown> {
  const { stream: _stream, ...body } = o.upstream.body as Record<string, unknown>;
  return body;
}

describe("the SDK through the gateway assembles what it assembles from the API", () => {
  for (const shape of SHAPES) {
    for (const streaming of [true, false]) {
      it(`${shape.name} (${streaming ? "messages.stream" : "messages.create"})`, async () => {
        const direct = await exchange(c.direct, streaming, shape);
        const gateway = await exchange(c.gateway, streaming, shape);

        // Tool ids: each is the one the fake sent for that very upstream request.
        expect(toolIds(gateway.message)).toEqual(gateway.sentToolIds);
        expect(toolIds(direct.message)).toEqual(direct.sentToolIds);
        expect(gateway.message.id).toMatch(/^msg_[0-9a-f]{32}$/);
        expect(gateway.message).toMatchObject({ type: "message", role: "assistant", model: MODEL, ...shape.expect });

        expect(comparable(gateway)).toEqual(comparable(direct));
        if (streaming) {
          expect(helperEvents(gateway)).toEqual(helperEvents(direct));
          expect(gateway.events.some(([kind]) => kind === "contentBlock")).toBe(true);
        }

        // Pass-through: upstream got the client's request as written (as JSON values; key order: the last describe).
        expect(gateway.upstream.body.stream).toBe(true);
        expect(direct.upstream.body.stream).toBe(streaming ? true : undefined);
        expect(sentUpstream(gateway)).toEqual(sentUpstream(direct));
        expect(sentUpstream(gateway)).toEqual(shape.params);
      });
    }
  }
});

describe("the model a message names", () => {
  // The API names the model that answered (an alias resolved to its snapshot)
  // in message_start; the gateway's Message JSON says the same.
  const shape: Shape = { name: "alias", params: ask("Hi"), reply: { text: "Hello.", model: `${MODEL}-20251001` }, expect: {} };

  it("is the one upstream answered with (messages.create)", async () => {
    const direct = await exchange(c.direct, false, shape);
    const gateway = await exchange(c.gateway, false, shape);
    expect(direct.message.model).toBe(`${MODEL}-20251001`);
    expect(gateway.message.model).toBe(direct.message.model);
  });

  // Streaming too: message_start waits for the reply to stream, and names the
  // model upstream answered with (the `model` of the `streaming` status event).
  it("is the one upstream answered with (messages.stream)", async () => {
    const direct = await exchange(c.direct, true, shape);
    const gateway = await exchange(c.gateway, true, shape);
    expect(direct.message.model).toBe(`${MODEL}-20251001`);
    expect(gateway.message.model).toBe(direct.message.model);
  });
});

describe("the request upstream, as written", () => {
  // The request is stored as JSON text (jsonb would re-sort every object's
  // keys) and checked without being rebuilt, so upstream gets the client's
  // order: a tool's schema properties (the order the model reads, and writes
  // for a JSON output) and a tool call's input as the model wrote it.
  it("keeps the client's order of keys, at every level: a tool's schema properties, a tool call's input", async () => {
    const call = { type: "tool_use", id: "toolu_01Ordered", name: "book_flight", input: { to: "Oslo", from: "Paris", date: "2026-12-24" } } as const;
    const tool: Anthropic.Tool = {
      name: "book_flight",
      input_schema: { type: "object", properties: { to: { type: "string" }, from: { type: "string" }, date: { type: "string" } }, required: ["to"] },
    };
    const params: Params = {
      model: MODEL,
      max_tokens: 1024,
      tools: [tool],
      messages: [user("Book it."), { role: "assistant", content: [call] }, user([{ type: "tool_result", tool_use_id: call.id, content: "booked" }])],
    };
    const shape: Shape = { name: "key order", params, reply: { text: "Booked." }, expect: {} };
    const direct = sentUpstream(await exchange(c.direct, false, shape));
    const gateway = sentUpstream(await exchange(c.gateway, false, shape));
    // Byte for byte, but for `stream`: the gateway always streams upstream, `create()` sends none.
    const { stream: _gatewayStream, ...asSent } = gateway;
    expect(JSON.stringify(asSent)).toBe(JSON.stringify(direct));
  });
});
