// Tool use and thinking through the real routes (SSE included): the real SDK
// against the fake Anthropic API, the built-in tools, and the offline demo model.
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { toolResultsIn } from "@/lib/testing/fake-anthropic";
import { call, readSse, rebuildText, type SseFrame } from "@/lib/testing/route-client";
import { guestWithConversation, useRouteHarness } from "@/lib/testing/route-harness";
import { builtinTools, defineTool, ToolRegistry } from "@/lib/tools";
import { INTERRUPTED_TOOL_RESULT } from "@/lib/reply/generation/history";
import * as conversations from "@/app/api/conversations/route";
import * as messages from "@/app/api/conversations/[id]/messages/route";
import * as message from "@/app/api/messages/[id]/route";
import * as stop from "@/app/api/messages/[id]/stop/route";
import * as cont from "@/app/api/messages/[id]/continue/route";
import * as stream from "@/app/api/messages/[id]/stream/route";

const h = useRouteHarness("tools");
// A test that offers its own tools runs on an app built with them.
let restore: (() => Promise<void>) | undefined;
const setToolRegistry = (tools: ToolRegistry) => void (restore = h.reconfigure({}, { tools }));
afterEach(async () => {
  await restore?.();
  restore = undefined;
});

const setup = guestWithConversation;
const post = (cookie: string, cid: string, content: string, extra = {}) => call(messages.POST, "POST", "/", { cookie, params: { id: cid }, body: { content, ...extra } });
const getMessage = async (cookie: string, id: string) => (await call(message.GET, "GET", "/", { cookie, params: { id } })).json();
const consecutive = (frames: SseFrame[]) => frames.map((f) => f.id).every((id, i, all) => i === 0 || id === all[i - 1]! + 1);

describe("tools through the API", () => {
  it("streams a calculate step over SSE: input fragments, progress, result part, then the answer", async () => {
    const { cookie, cid } = await setup();
    h.fake.enqueue(
      {
        blocks: [
          { type: "text", text: "Computing… " },
          { type: "tool_use", id: "toolu_api_1", name: "calculate", input: { expression: "2^10 - 24" } },
        ],
        chunk: 2,
        delayMs: 5, // paced: fragments read together would be coalesced into one delta
      },
      (body) => ({ text: `It is ${JSON.parse(toolResultsIn(body)[0].content).result}.` }),
    );
    const frames = await readSse(await post(cookie, cid, "what is 2^10 - 24?"));
    const done = frames.at(-1)!.data.message;
    expect(done).toMatchObject({ status: "complete", content: "Computing… It is 1000.", metadata: { toolSteps: 1, stopReason: "end_turn" } });
    expect(done.parts.map((p: { type: string }) => p.type)).toEqual(["text", "tool_use", "tool_result", "text"]);
    expect(frames.slice(1).every((f) => f.id !== null)).toBe(true);
    expect(consecutive(frames.slice(1))).toBe(true);
    expect(frames.filter((f) => f.event === "delta" && "json" in f.data).length).toBeGreaterThan(1);
    expect(frames.filter((f) => f.event === "tool_progress").map((f) => f.data.toolUseId)).toEqual(["toolu_api_1", "toolu_api_1"]);
    expect(frames.find((f) => f.event === "part_start" && f.data.part.type === "tool_result")?.data.part).toEqual(done.parts[2]);
    expect(rebuildText(frames)).toBe(done.content);
    expect(await getMessage(cookie, done.id)).toMatchObject({ parts: done.parts, content: done.content });
    // A late watcher replays the whole loop, progress included.
    const replay = await readSse(await call(stream.GET, "GET", "/?after=0", { cookie, params: { id: done.id } }));
    expect(replay.map((f) => f.event)).toEqual(frames.slice(1).map((f) => f.event));
  });

  it("keeps SSE-looking and unicode tool output exact: over SSE, in the database and in the next request", async () => {
    const TRICKY = `data: {"id": 3}\n\nid: 99\nevent: done\r\n: comment\n\nretry: 1\n👩‍💻 e\u0301 世界 \u2028 ${randomUUID()}`;
    const tricky = defineTool({ name: "tricky", description: "Returns awkward text", input: z.object({}), execute: async (_i, c) => (c.progress(TRICKY), TRICKY) });
    setToolRegistry(new ToolRegistry([tricky]));
    const { cookie, cid } = await setup();
    h.fake.enqueue({ blocks: [{ type: "tool_use", id: "toolu_tricky", name: "tricky", input: {} }] }, { text: "ok" });
    const frames = await readSse(await post(cookie, cid, "go"));
    const done = frames.at(-1)!.data.message;
    expect(done.parts[1]).toEqual({ type: "tool_result", toolUseId: "toolu_tricky", content: TRICKY, isError: false });
    expect(frames.find((f) => f.event === "tool_progress")?.data.message).toBe(Array.from(TRICKY).slice(0, 300).join(""));
    expect((await getMessage(cookie, done.id)).parts[1].content).toBe(TRICKY);
    expect(toolResultsIn(h.fake.requests.at(-1)!.body)[0].content).toBe(TRICKY);
  });

  it("Stop while a tool runs ends the reply interrupted at once; Continue finishes it with a valid request", async () => {
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const wait = defineTool({
      name: "wait_for_it",
      description: "Waits until stopped",
      input: z.object({}),
      execute: (_i, c) => new Promise((_res, rej) => (started(), c.signal.addEventListener("abort", () => rej(new Error("stopped"))))),
    });
    setToolRegistry(new ToolRegistry([...builtinTools(), wait]));
    const { cookie, cid } = await setup();
    h.fake.enqueue({
      blocks: [
        { type: "text", text: "Waiting." },
        { type: "tool_use", id: "toolu_wait", name: "wait_for_it", input: {} },
      ],
    });
    const first = readSse(await post(cookie, cid, "wait"));
    await running;
    const mid = (await h.db.prisma.message.findFirstOrThrow({ where: { conversationId: cid, role: "assistant" } })).id;
    const stopped = await (await call(stop.POST, "POST", "/", { cookie, params: { id: mid } })).json();
    expect(stopped).toMatchObject({ status: "interrupted", content: "Waiting." });
    expect(stopped.parts.at(-1)).toMatchObject({ type: "tool_use", id: "toolu_wait" });
    const frames = await first;
    expect(frames.at(-1)!.data.message.parts).toEqual(stopped.parts);

    h.fake.enqueue({ text: " Stopped, so no result." });
    const resumed = await readSse(await call(cont.POST, "POST", "/", { cookie, params: { id: mid }, body: {} }));
    expect(h.fake.requests.at(-1)!.status).toBe(200);
    expect(toolResultsIn(h.fake.requests.at(-1)!.body)).toEqual([{ toolUseId: "toolu_wait", content: INTERRUPTED_TOOL_RESULT, isError: true }]);
    const done = resumed.at(-1)!.data.message;
    expect(done).toMatchObject({ status: "complete", content: "Waiting. Stopped, so no result." });
    expect(resumed[1].id).toBe(frames.at(-1)!.id! + 1);
    expect(rebuildText(resumed)).toBe(done.content);
  });

  it("search_conversations finds only the asking user's messages", async () => {
    const word = `xylocarp${randomUUID().slice(0, 6)}`;
    const a = await setup();
    const b = await setup();
    h.fake.enqueue({ text: "noted" }, { text: "noted" });
    await readSse(await post(a.cookie, a.cid, `my favourite fruit is the ${word}`));
    await readSse(await post(b.cookie, b.cid, `B's private ${word} diary`));
    const a2 = (await (await call(conversations.POST, "POST", "/", { cookie: a.cookie, body: {} })).json()).id;
    h.fake.enqueue({ blocks: [{ type: "tool_use", id: "toolu_search", name: "search_conversations", input: { query: word } }] }, (body) => ({
      text: toolResultsIn(body)[0].content,
    }));
    const res = await post(a.cookie, a2, `search my conversations for ${word}`, { stream: false });
    const { assistantMessage } = await res.json();
    const result = JSON.parse(assistantMessage.parts[1].content);
    // One match: A's earlier message. Not B's, and not the question being answered.
    expect(result.matches).toEqual([expect.objectContaining({ conversationId: a.cid, role: "user", snippet: `favourite fruit is the **${word}**` })]);
    expect(assistantMessage.content).not.toContain("diary");
  });

  it("the demo model thinks, calls calculate and answers from its result, with no key", async () => {
    restore = h.reconfigure({ LLM_PROVIDER: "demo", DEMO_TOKEN_DELAY_MS: "0" });
    {
      const { cookie, cid } = await setup();
      const before = h.fake.requests.length;
      const frames = await readSse(await post(cookie, cid, "Think step by step and calculate 12 * (3 + 4)"));
      const done = frames.at(-1)!.data.message;
      expect(h.fake.requests.length).toBe(before);
      expect(done.status).toBe("complete");
      expect(done.parts.map((p: { type: string }) => p.type)).toEqual(["thinking", "text", "tool_use", "tool_result", "thinking", "text"]);
      expect(done.parts[0].signature).toMatch(/^tether-demo-signature:/);
      expect(done.parts[2]).toMatchObject({ name: "calculate", input: { expression: "12 * (3 + 4)" } });
      expect(JSON.parse(done.parts[3].content)).toEqual({ expression: "12 * (3 + 4)", result: "84" });
      expect(done.content).toContain("The result is **84**");
      expect(rebuildText(frames)).toBe(done.content);
      expect(consecutive(frames.slice(1))).toBe(true);
    }
  });
});
