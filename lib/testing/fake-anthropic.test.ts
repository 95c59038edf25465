// The fake server's own contract, over raw HTTP (the way an e2e test or an
// out-of-process app sees it). Its fidelity to the SDK is covered by
// lib/llm/anthropic.test.ts.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "./fake-anthropic";

let fake: FakeAnthropic;
beforeEach(async () => {
  fake = await startFakeAnthropic();
});
afterEach(async () => {
  await fake.close();
});

type Msg = { role: "user" | "assistant"; content: string };
const post = (messages: Msg[], stream = true) =>
  fetch(`${fake.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "m-1", max_tokens: 10, stream, messages }),
  });

function parseSse(raw: string) {
  return raw
    .split("\n\n")
    .filter(Boolean)
    .map((frame) => {
      const event = /^event: (.*)$/m.exec(frame)?.[1];
      const data = /^data: (.*)$/m.exec(frame)?.[1];
      return { event, data: data === undefined ? undefined : JSON.parse(data) };
    });
}

const streamedText = (events: ReturnType<typeof parseSse>) => events.map((e) => (e.data?.delta?.type === "text_delta" ? e.data.delta.text : "")).join("");

describe("fake Anthropic server", () => {
  it("speaks the SSE grammar, chunking by code point", async () => {
    const text = `👩‍👩‍👧 ${randomUUID()} 🇯🇵 𝄞`;
    fake.enqueue({ text, chunk: 1 });
    const raw = await (await post([{ role: "user", content: "hi" }])).text();
    const events = parseSse(raw);

    expect(events.every((e) => e.event && e.event === e.data?.type)).toBe(true);
    expect(events.map((e) => e.event)).toEqual([
      "message_start",
      "ping",
      "content_block_start",
      ...Array.from(text).map(() => "content_block_delta"),
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(raw).not.toMatch(/\\ud[89a-f]/i); // no surrogate half escaped on its own
    expect(streamedText(events)).toBe(text);
    expect(events[0].data.message.usage).toMatchObject({ input_tokens: expect.any(Number) });
    expect(events.at(-2)?.data.usage).toMatchObject({ output_tokens: expect.any(Number) });
  });

  it("follows [[scenario:NAME]] markers, counting failures per identical body", async () => {
    const content = `[[scenario:overloaded]] ${randomUUID()}`;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await post([{ role: "user", content }]);
      statuses.push(res.status);
      if (res.status === 529) expect(res.headers.get("retry-after-ms")).toBe("1");
      if (res.status === 200) expect(streamedText(parseSse(await res.text()))).toBe(`Echo: ${content.slice(24)}`);
      else await res.text();
    }
    expect(statuses).toEqual([529, 529, 200]);
    expect((await post([{ role: "user", content: "[[scenario:nope]]" }])).status).toBe(400);
  });

  it("takes JSON directives, even with ]] inside, and continues a prefill", async () => {
    const text = `Hello [[world]], ${randomUUID()}`;
    const directive = `[[fake:${JSON.stringify({ text, chunk: 2 })}]]`;
    const full = await post([{ role: "user", content: `please ${directive}` }]);
    expect(streamedText(parseSse(await full.text()))).toBe(text);

    const rest = await post([
      { role: "user", content: directive },
      { role: "assistant", content: "Hello [[world]]," },
    ]);
    expect(streamedText(parseSse(await rest.text()))).toBe(text.slice("Hello [[world]],".length));
  });

  it("answers non-streaming requests with a whole message", async () => {
    const res = await post([{ role: "user", content: "[[scenario:tool]]" }], false);
    expect(await res.json()).toMatchObject({
      type: "message",
      model: "m-1",
      stop_reason: "tool_use",
      content: [
        { type: "text", text: "I'll look that up." },
        { type: "tool_use", name: "get_weather", input: { city: "Paris", unit: "celsius" } },
      ],
    });
  });

  it("stops on the request's stop_sequences as the API does: text cut before the first completed, the sequence named", async () => {
    const send = async (stream: boolean, stop_sequences: string[]) => {
      fake.enqueue({ text: "one, two; STOP three END", tool: { name: "t", input: {} } });
      const res = await fetch(`${fake.url}/v1/messages`, {
        method: "POST",
        body: JSON.stringify({ model: "m", max_tokens: 10, stream, stop_sequences, messages: [{ role: "user", content: "x" }] }),
      });
      if (!stream) return res.json();
      const events = parseSse(await res.text());
      const delta = events.find((e) => e.event === "message_delta")?.data.delta;
      const blocks = events.filter((e) => e.event === "content_block_start").map((e) => e.data.content_block.type);
      return { text: streamedText(events), blocks, ...delta };
    };
    // "two; STOP" starts first, but "; " is complete first; the tool call after the cut never comes.
    expect(await send(true, ["END", "two; STOP", "; "])).toEqual({ text: "one, two", blocks: ["text"], stop_reason: "stop_sequence", stop_sequence: "; " });
    expect(await send(false, ["STOP"])).toMatchObject({
      content: [{ type: "text", text: "one, two; " }],
      stop_reason: "stop_sequence",
      stop_sequence: "STOP",
    });
    // None in the text: the usual ending, stop_sequence null.
    expect(await send(true, ["nowhere"])).toMatchObject({ text: "one, two; STOP three END", blocks: ["text", "tool_use"], stop_reason: "tool_use", stop_sequence: null });
    expect(await send(true, ["one"])).toMatchObject({ text: "", blocks: [], stop_reason: "stop_sequence", stop_sequence: "one" });
  });

  it("refuses, like the real API, requests a chat client can get wrong", async () => {
    type M = { role: "user" | "assistant"; content: unknown };
    const send = async (messages: M[], extra: Record<string, unknown> = {}) => {
      const res = await fetch(`${fake.url}/v1/messages`, {
        method: "POST",
        body: JSON.stringify({ model: "m", max_tokens: 5000, stream: false, messages, ...extra }),
      });
      return { status: res.status, message: ((await res.json()) as { error?: { message: string } }).error?.message };
    };
    const call = { type: "tool_use", id: "t1", name: "calculate", input: {} };
    const result = { type: "tool_result", tool_use_id: "t1", content: "42" };
    const q: M = { role: "user", content: "q" };
    expect(await send([q, { role: "assistant", content: [call] }, { role: "user", content: "next" }])).toMatchObject({
      status: 400,
      message: expect.stringContaining("without `tool_result`"),
    });
    expect(await send([q, { role: "assistant", content: [call] }, { role: "user", content: [{ type: "text", text: "hi" }, result] }])).toMatchObject({
      status: 400,
      message: expect.stringContaining("must come first"),
    });
    expect(await send([q, { role: "assistant", content: "x" }, { role: "user", content: [result] }])).toMatchObject({
      status: 400,
      message: expect.stringContaining("unexpected `tool_use_id`"),
    });
    expect(await send([q, { role: "assistant", content: [{ type: "thinking", thinking: "t" }] }, q])).toMatchObject({
      status: 400,
      message: expect.stringContaining("signature"),
    });
    expect(await send([q, { role: "assistant", content: "pre " }])).toMatchObject({ status: 400, message: expect.stringContaining("trailing whitespace") });
    expect(await send([q, { role: "assistant", content: "pre" }], { thinking: { type: "adaptive" } })).toMatchObject({
      status: 400,
      message: expect.stringContaining("thinking"),
    });
    expect(await send([q], { thinking: { type: "enabled", budget_tokens: 6000 } })).toMatchObject({ status: 400, message: expect.stringContaining("max_tokens") });
    expect(fake.requests.every((r) => r.outcome === "http_error")).toBe(true);
    // Valid: tool results first, consecutive user turns merged (as the API does); the default reply reports the results.
    const ok = await send([
      q,
      { role: "assistant", content: [{ type: "text", text: "Let me see." }, call] },
      { role: "user", content: [result] },
      { role: "user", content: [] },
    ]);
    expect(ok.status).toBe(200);
    const reply = await post([q as never, { role: "assistant", content: [call] } as never, { role: "user", content: [result] } as never], false);
    expect((await reply.json()).content).toMatchObject([{ type: "text", text: "Tool results: 42" }]);
  });

  it("can be driven over HTTP control endpoints", async () => {
    const text = `queued ${randomUUID()}`;
    await fetch(`${fake.url}/_fake/enqueue`, { method: "POST", body: JSON.stringify([{ text }]) });
    const res = await post([{ role: "user", content: "x" }]);
    expect(streamedText(parseSse(await res.text()))).toBe(text);
    const listed = await (await fetch(`${fake.url}/_fake/requests`)).json();
    expect(listed).toMatchObject([{ path: "/v1/messages", body: { model: "m-1" }, outcome: "streamed", aborted: false }]);
    await fetch(`${fake.url}/_fake/reset`, { method: "POST" });
    expect(fake.requests).toHaveLength(0);
  });

  it("records a client that hangs up mid-stream, and close() ends stalled streams", async () => {
    fake.enqueue({ words: 200, delayMs: 20 });
    const ac = new AbortController();
    const res = await fetch(`${fake.url}/v1/messages`, {
      method: "POST",
      body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "x" }] }),
      signal: ac.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    await fake.requests[0].closed;
    expect(fake.requests[0].aborted).toBe(true);

    fake.enqueue({ text: "then silence", end: "stall" });
    const stalled = await post([{ role: "user", content: "y" }]);
    const body = stalled.text().catch((e: unknown) => e);
    await fake.close(); // must not hang on the open stream
    expect(await body).toBeInstanceOf(Error);
    fake = await startFakeAnthropic(); // for afterEach
  });

  it("runs as a CLI that prints its URL and exits on SIGTERM", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "lib/testing/fake-anthropic-server.ts", "--port", "0"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const [line] = (await once(child.stdout!, "data")) as [Buffer];
    const url = line.toString().trim();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${url}/v1/messages`, {
      method: "POST",
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "ping" }] }),
    });
    expect(await res.json()).toMatchObject({ content: [{ type: "text", text: "Echo: ping" }] });
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
  });

  it("lists models in the Models API's page format, paged by limit, after_id and before_id", async () => {
    const page = async (query: string) => (await fetch(`${fake.url}/v1/models${query}`)).json();
    const all = await page("");
    expect(all).toMatchObject({ has_more: false, first_id: "claude-opus-5-5", last_id: "claude-sonnet-4-5" });
    expect(all.data[0]).toMatchObject({ type: "model", id: "claude-opus-5-5", display_name: "Claude Opus 5.5", created_at: "2026-10-01T00:00:00Z" });
    const first = await page("?limit=2");
    expect(first).toMatchObject({ has_more: true, first_id: "claude-opus-5-5", last_id: "claude-sonnet-5-5" });
    expect(await page("?limit=2&after_id=claude-sonnet-5-5")).toMatchObject({ has_more: false, first_id: "claude-haiku-4-5", last_id: "claude-sonnet-4-5" });
    expect(await page("?limit=1&before_id=claude-haiku-4-5")).toMatchObject({ has_more: true, first_id: "claude-sonnet-5-5", last_id: "claude-sonnet-5-5" });
    expect((await fetch(`${fake.url}/v1/models?limit=0`)).status).toBe(400);
    expect(await (await fetch(`${fake.url}/v1/models/claude-haiku-4-5`)).json()).toMatchObject({ type: "model", id: "claude-haiku-4-5" });
    expect((await fetch(`${fake.url}/v1/models/claude-nope`)).status).toBe(404);
    fake.setModels({ status: 503 });
    const failed = await fetch(`${fake.url}/v1/models`);
    expect(failed.status).toBe(503);
    expect(await failed.json()).toMatchObject({ type: "error", error: { type: expect.any(String) } });
    expect(fake.requests).toHaveLength(0); // /v1/messages only
    expect(fake.modelRequests).toBe(8);
  });
});
