// The tool loop of one reply, end to end below HTTP: the real SDK against the
// fake Anthropic API (which refuses requests the real API would refuse), the
// real generation pipeline, in-memory PGlite.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createReply } from "../admission";
import { toolResultsIn } from "../../testing/fake-anthropic";
import { defineTool } from "../../tools";
import { runGeneration } from "./generation";
import { INTERRUPTED_TOOL_RESULT } from "./history";
import { expectReplayable, recorder, useLoopHarness } from "./run-harness";
import { testAdmission } from "../../testing/app";

const { h, registry, ask, deps } = useLoopHarness();

const CALC = { type: "tool_use" as const, id: "toolu_calc_1", name: "calculate", input: { expression: "6 * (3 + 4)" } };
const quoteResult = (body: unknown) => ({ text: `The answer is ${JSON.parse(toolResultsIn(body)[0].content).result}. ✓` });

describe("tool loop", () => {
  it("streams a tool call's input in fragments, runs it with progress, and answers from its result — one message", async () => {
    const q = await ask(`What is 6*(3+4)? ${randomUUID()}`);
    // Paced: fragments read together would be coalesced into one delta (coalesce.ts).
    h.fake.enqueue({ blocks: [{ type: "text", text: "Let me compute. " }, CALC], chunk: 3, delayMs: 5 }, quoteResult);
    const rec = recorder();
    const final = await runGeneration(deps(rec), q.messageId, new AbortController().signal);

    expect(final.status).toBe("complete");
    expect(final.content).toBe("Let me compute. The answer is 42. ✓");
    expect(final.parts).toEqual([
      { type: "text", text: "Let me compute. " },
      CALC,
      { type: "tool_result", toolUseId: CALC.id, content: JSON.stringify({ expression: "6 * (3 + 4)", result: "42" }), isError: false },
      { type: "text", text: "The answer is 42. ✓" },
    ]);
    expect(final.metadata).toMatchObject({ stopReason: "end_turn", toolSteps: 1 });
    expect(final.metadata.usage?.outputTokens).toBeGreaterThan(2);
    const fragments = rec.events.flatMap((e) => (e.event === "delta" && "json" in e.data ? [e.data.json] : []));
    expect(fragments.length).toBeGreaterThan(1);
    expect(JSON.parse(fragments.join(""))).toEqual(CALC.input);
    const progress = rec.events.filter((e) => e.event === "tool_progress");
    expect(progress.map((e) => e.data)).toEqual([
      { toolUseId: CALC.id, message: "Evaluating the expression…", percent: 0 },
      { toolUseId: CALC.id, message: "Done", percent: 100 },
    ]);
    const resultStart = rec.events.find((e) => e.event === "part_start" && e.data.part.type === "tool_result");
    expect(rec.events[rec.events.indexOf(resultStart!) + 1]).toMatchObject({ event: "part_stop", data: { index: 2 } });
    expectReplayable(q.initial, rec.events, final);

    const [first, second] = h.fake.requests;
    expect(first.body.tools.map((t: { name: string }) => t.name)).toEqual(["calculate", "current_time"]);
    expect(first.body.tool_choice).toBeUndefined();
    expect(second.body.messages.slice(1)).toEqual([
      {
        role: "assistant",
        content: [
          { type: "text", text: "Let me compute. " },
          { type: "tool_use", id: CALC.id, name: "calculate", input: CALC.input },
        ],
      },
      {
        role: "user",
        content: [{ type: "tool_result", tool_use_id: CALC.id, content: final.parts[2].type === "tool_result" ? final.parts[2].content : "", is_error: false }],
      },
    ]);
    const saved = await h.db.prisma.message.findUniqueOrThrow({ where: { id: q.messageId } });
    expect([saved.parts, saved.content, saved.seq]).toEqual([final.parts, final.content, rec.events.at(-1)!.id]);
  });

  it("runs several tools of one turn, results in call order; a failing tool gives an error result and the loop goes on", async () => {
    const explode = defineTool({
      name: "explode",
      description: "always fails",
      input: z.object({}),
      execute: async () => {
        throw new Error("kaboom 💥");
      },
    });
    const q = await ask("calc, time, and explode");
    h.fake.enqueue(
      {
        blocks: [
          { type: "tool_use", id: "t_a", name: "explode", input: {} },
          { type: "tool_use", id: "t_b", name: "current_time", input: { timezone: "Asia/Kolkata" } },
          { type: "tool_use", id: "t_c", name: "calculate", input: { expression: "import('fs')" } },
          { type: "tool_use", id: "t_d", name: "no_such_tool", input: {} },
        ],
        chunk: [2, 7],
      },
      (body) => ({
        text: toolResultsIn(body)
          .map((r) => (r.isError ? "✗" : "✓"))
          .join(""),
      }),
    );
    const rec = recorder();
    const final = await runGeneration(deps(rec, { tools: registry(explode) }), q.messageId, new AbortController().signal);

    expect(final.status).toBe("complete");
    expect(final.content).toBe("✗✓✗✗");
    const results = final.parts.filter((p) => p.type === "tool_result");
    expect(results.map((r) => r.type === "tool_result" && [r.toolUseId, r.isError])).toEqual([
      ["t_a", true],
      ["t_b", false],
      ["t_c", true],
      ["t_d", true],
    ]);
    expect(results[0]).toMatchObject({ content: "The explode tool failed." });
    expect(JSON.parse((results[1] as { content: string }).content)).toMatchObject({ timeZone: "Asia/Kolkata", time: "17:30:00" });
    expect(results[3]).toMatchObject({ content: expect.stringContaining('Unknown tool "no_such_tool"') });
    const sent = toolResultsIn(h.fake.requests[1].body);
    expect(sent.map((r) => [r.toolUseId, r.isError])).toEqual([
      ["t_a", true],
      ["t_b", false],
      ["t_c", true],
      ["t_d", true],
    ]);
    expectReplayable(q.initial, rec.events, final);
  });

  it("caps the tool steps: after the last allowed step the model is called with tool use off", async () => {
    const q = await ask("loop forever");
    const step = (n: number) => ({ blocks: [{ type: "tool_use" as const, id: `t_${n}`, name: "calculate", input: { expression: `${n} + 1` } }] });
    h.fake.enqueue(step(1), step(2), { text: "Enough tools: 3." });
    const rec = recorder();
    const final = await runGeneration(deps(rec, { maxToolSteps: 2 }), q.messageId, new AbortController().signal);
    expect(h.fake.requests.map((r) => r.body.tool_choice)).toEqual([undefined, undefined, { type: "none" }]);
    expect(h.fake.requests[2].body.tools).toHaveLength(2); // still defined: the history uses them
    expect(final).toMatchObject({ status: "complete", content: "Enough tools: 3.", metadata: { stopReason: "end_turn", toolSteps: 2 } });

    // A model that asks anyway: the reply ends there, saying why; the next request stays valid.
    const q2 = await ask("loop harder");
    h.fake.enqueue(step(1), step(2));
    const capped = await runGeneration(deps(recorder(), { maxToolSteps: 1 }), q2.messageId, new AbortController().signal);
    expect(capped).toMatchObject({ status: "complete", metadata: { stopReason: "max_tool_steps", toolSteps: 1 } });
    expect(capped.parts.at(-1)).toMatchObject({ type: "tool_use", id: "t_2" });
    const next = await createReply(testAdmission(h.db.prisma), q2.userId, q2.conversationId, "and now?");
    h.fake.enqueue({ text: "ok" });
    expect(await runGeneration(deps(recorder()), next.assistantMessage.id, new AbortController().signal)).toMatchObject({ status: "complete", content: "ok" });
    expect(h.fake.requests.at(-1)!.status).toBe(200);
    expect(toolResultsIn(h.fake.requests.at(-1)!.body)).toEqual([{ toolUseId: "t_2", content: INTERRUPTED_TOOL_RESULT, isError: true }]);
  });
});
