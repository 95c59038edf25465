// Stop and Continue in the middle of a tool loop, and thinking carried across
// turns: what is stored, and what the next request to the (fake) API holds.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CONTINUE_INSTRUCTION } from "../../llm/types";
import { continueReply, createReply } from "../admission";
import { toolResultsIn } from "../../testing/fake-anthropic";
import { defineTool } from "../../tools";
import { runGeneration } from "./generation";
import { INTERRUPTED_TOOL_RESULT } from "./history";
import { expectReplayable, recorder, useLoopHarness } from "./run-harness";
import { testAdmission } from "../../testing/app";

const { h, registry, provider, ask, deps } = useLoopHarness();

const lastRequest = () => h.fake.requests[h.fake.requests.length - 1];

/** Reports progress, then waits for its signal (Stop) and never finishes by itself. */
const slowLookup = defineTool({
  name: "slow_lookup",
  description: "Looks something up, slowly",
  input: z.object({ key: z.string() }),
  execute: (input, ctx) =>
    new Promise((_resolve, reject) => {
      ctx.progress(`Looking up ${input.key}…`, 5);
      ctx.signal.addEventListener("abort", () => reject(new Error("stopped")));
    }),
});

describe("Stop and Continue in a tool loop", () => {
  it("Stop mid-tool aborts the tool and keeps everything so far; Continue sends a valid request and finishes", async () => {
    const q = await ask(`look it up ${randomUUID()}`);
    h.fake.enqueue({
      blocks: [
        { type: "text", text: "Checking…" },
        { type: "tool_use", id: "t_slow", name: "slow_lookup", input: { key: "ünïcode 🔑" } },
      ],
    });
    const rec = recorder();
    const ac = new AbortController();
    let toolSignal: AbortSignal | undefined;
    const spy = defineTool({ ...slowLookup, execute: (i, c) => ((toolSignal = c.signal), slowLookup.execute(i, c)) });
    const running = runGeneration(deps(rec, { tools: registry(spy) }), q.messageId, ac.signal);
    await rec.next((e) => e.event === "tool_progress");
    ac.abort();
    // The tool never returns on its own: the generation ending proves Stop reached it.
    const stopped = await running;
    expect(toolSignal?.aborted).toBe(true);

    expect(stopped).toMatchObject({ status: "interrupted", content: "Checking…", metadata: { stopReason: "stopped" } });
    expect(stopped.parts).toEqual([
      { type: "text", text: "Checking…" },
      { type: "tool_use", id: "t_slow", name: "slow_lookup", input: { key: "ünïcode 🔑" } },
    ]);
    expect(rec.events.find((e) => e.event === "tool_progress")?.data).toEqual({ toolUseId: "t_slow", message: "Looking up ünïcode 🔑…", percent: 5 });
    expectReplayable(q.initial, rec.events, stopped);
    const stored = await h.db.prisma.message.findUniqueOrThrow({ where: { id: q.messageId } });
    expect(stored.parts).toEqual(stopped.parts); // stored exactly as streamed: no invented result

    // Continue: the unanswered call gets an error result in the request only.
    const resumed = await continueReply(testAdmission(h.db.prisma), q.userId, q.messageId);
    h.fake.enqueue((body) => ({ text: `The lookup was interrupted (${toolResultsIn(body)[0].isError}).` }));
    const rec2 = recorder();
    const done = await runGeneration(deps(rec2, { tools: registry(spy) }), q.messageId, new AbortController().signal);
    expect(lastRequest().status).toBe(200); // the fake refuses what the real API would
    expect(lastRequest().body.messages.slice(1)).toEqual([
      {
        role: "assistant",
        content: [
          { type: "text", text: "Checking…" },
          { type: "tool_use", id: "t_slow", name: "slow_lookup", input: { key: "ünïcode 🔑" } },
        ],
      },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "t_slow", content: INTERRUPTED_TOOL_RESULT, is_error: true }] },
    ]);
    expect(done).toMatchObject({ status: "complete", content: "Checking…The lookup was interrupted (true)." });
    expect(done.parts).toHaveLength(3);
    expect(rec2.events[0].id).toBe(rec.events.at(-1)!.id + 1); // ids continue across Stop and Continue
    expectReplayable(resumed.message, rec2.events, done);
  });

  it("Continue after a completed tool step resumes the cut-off answer by prefill, byte for byte", async () => {
    const q = await ask("compute then explain");
    const ANSWER = 'So 2 + 2 = 4.\n\n```\ndata: {"x": 1}\n\nid: 7\n```\nDone — 完了 👍';
    h.fake.enqueue(
      { blocks: [{ type: "tool_use", id: "t_1", name: "calculate", input: { expression: "2 + 2" } }] },
      { text: ANSWER, chunk: 1, end: "drop", failAfter: 9 },
    );
    const rec = recorder();
    const failed = await runGeneration(deps(rec), q.messageId, new AbortController().signal);
    expect(failed).toMatchObject({ status: "failed", error: { code: "upstream_connection" }, content: "So 2 + 2 " });
    expect(failed.parts.map((p) => p.type)).toEqual(["tool_use", "tool_result", "text"]);

    const resumed = await continueReply(testAdmission(h.db.prisma), q.userId, q.messageId);
    h.fake.enqueue({ text: ANSWER, chunk: [1, 3] }); // the fake continues after the prefill
    const rec2 = recorder();
    const done = await runGeneration(deps(rec2), q.messageId, new AbortController().signal);
    expect(lastRequest().status).toBe(200);
    expect(
      lastRequest()
        .body.messages.slice(1)
        .map((m: { role: string }) => m.role),
    ).toEqual(["assistant", "user", "assistant"]);
    expect(lastRequest().body.messages.at(-1)).toEqual({ role: "assistant", content: [{ type: "text", text: "So 2 + 2" }] });
    expect(done).toMatchObject({ status: "complete", content: ANSWER });
    expect(rec2.events[0]).toMatchObject({ event: "snapshot" }); // the trailing space was trimmed: announced first
    expectReplayable(resumed.message, rec2.events, done);
  });

  it("sends thinking (and redacted thinking) back verbatim with its signature, in the loop and in later turns", async () => {
    const sig = `EqQBCkYIBxgCKkD${randomUUID()}==`;
    const q = await ask("think, then calculate 3^4");
    h.fake.enqueue(
      {
        blocks: [
          { type: "thinking", thinking: "I need 3^4 — use the tool. 🤔", signature: sig },
          { type: "redacted_thinking", data: "c2VjcmV0IHJlYXNvbmluZw==" },
          { type: "text", text: "Calculating." },
          { type: "tool_use", id: "t_pow", name: "calculate", input: { expression: "3^4" } },
        ],
        chunk: 4,
        delayMs: 5, // paced: fragments read together would be coalesced into one delta
      },
      { text: "3^4 = 81." },
    );
    const rec = recorder();
    const done = await runGeneration(deps(rec, { provider: provider("claude-sonnet-5-5") }), q.messageId, new AbortController().signal);
    expect(done.status).toBe("complete");
    expect(done.parts[0]).toEqual({ type: "thinking", thinking: "I need 3^4 — use the tool. 🤔", signature: sig, durationMs: expect.any(Number) }); // durationMs: docs/PROTOCOL.md §1
    expect(rec.events.filter((e) => e.event === "delta" && e.data.index === 0).length).toBeGreaterThan(1);
    const [first, second] = h.fake.requests;
    expect(first.body.thinking).toEqual({ type: "adaptive", display: "summarized" });
    const assistantTurn = {
      role: "assistant",
      content: [
        { type: "thinking", thinking: "I need 3^4 — use the tool. 🤔", signature: sig },
        { type: "redacted_thinking", data: "c2VjcmV0IHJlYXNvbmluZw==" },
        { type: "text", text: "Calculating." },
        { type: "tool_use", id: "t_pow", name: "calculate", input: { expression: "3^4" } },
      ],
    };
    expect(second.body.messages[1]).toEqual(assistantTurn);

    // The next question carries the whole earlier reply, thinking included.
    const next = await createReply(testAdmission(h.db.prisma), q.userId, q.conversationId, "and 3^5?");
    h.fake.enqueue({ text: "243." });
    await runGeneration(deps(recorder(), { provider: provider("claude-sonnet-5-5") }), next.assistantMessage.id, new AbortController().signal);
    expect(lastRequest().status).toBe(200);
    expect(lastRequest().body.messages[1]).toEqual(assistantTurn);
    expect(lastRequest().body.messages.at(-1).content.at(-1)).toEqual({ type: "text", text: "and 3^5?" });
  });

  it("with thinking on, Continue asks to continue instead of prefilling (which the API refuses)", async () => {
    const q = await ask("long answer");
    h.fake.enqueue({ thinking: "Plan it.", text: "First part, then more.", end: "drop", failAfter: 20 });
    const thinkingProvider = provider("claude-opus-4-7");
    const failed = await runGeneration(deps(recorder(), { provider: thinkingProvider }), q.messageId, new AbortController().signal);
    expect(failed.status).toBe("failed");
    await continueReply(testAdmission(h.db.prisma), q.userId, q.messageId);
    h.fake.enqueue({ text: " then more." });
    const done = await runGeneration(deps(recorder(), { provider: thinkingProvider }), q.messageId, new AbortController().signal);
    expect(lastRequest().status).toBe(200);
    expect(lastRequest().body.messages.at(-1)).toEqual({ role: "user", content: [{ type: "text", text: CONTINUE_INSTRUCTION }] });
    expect(done.content).toBe(`${failed.content.trimEnd()} then more.`);
  });
});
