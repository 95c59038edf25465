// How stored replies (with thinking and tool steps) become model turns, fresh
// and on Continue: pure functions, no database.
import { describe, expect, it } from "vitest";
import { CONTINUE_INSTRUCTION } from "../../llm/types";
import type { Part } from "../../chat/types";
import { planTurns } from "./continuation";
import { buildTurns, INTERRUPTED_TOOL_RESULT, replyTurns } from "./history";

const think: Part = { type: "thinking", thinking: "Plan: use the calculator.", signature: "sig-1" };
const call = (id: string, name = "calculate"): Part => ({ type: "tool_use", id, name, input: { expression: "1+1" } });
const result = (id: string, content = "2"): Part => ({ type: "tool_result", toolUseId: id, content, isError: false });
const text = (t: string): Part => ({ type: "text", text: t });
const row = (role: "user" | "assistant", parts: Part[]) => ({ role, content: parts.map((p) => (p.type === "text" ? p.text : "")).join(""), parts: parts as never });

describe("replyTurns", () => {
  it("splits a reply with tool steps into assistant and user turns, results in call order", () => {
    const parts = [think, text("Let me check."), call("a"), call("b", "current_time"), result("b", "noon"), result("a"), text("It is 2 at noon.")];
    expect(replyTurns(parts)).toEqual([
      { role: "assistant", parts: [think, text("Let me check."), call("a"), call("b", "current_time")] },
      { role: "user", parts: [result("a"), result("b", "noon")] },
      { role: "assistant", parts: [text("It is 2 at noon.")] },
    ]);
  });

  it("answers a tool call that has no result (stopped mid-tool) with an error result, leaving the parts alone", () => {
    const parts = [text("Calculating."), call("a"), call("b"), result("b")];
    const before = structuredClone(parts);
    expect(replyTurns(parts)).toEqual([
      { role: "assistant", parts: [text("Calculating."), call("a"), call("b")] },
      { role: "user", parts: [{ type: "tool_result", toolUseId: "a", content: INTERRUPTED_TOOL_RESULT, isError: true }, result("b")] },
    ]);
    expect(parts).toEqual(before);
  });

  it("drops unsigned thinking and empty text, keeps signed thinking with empty text and redacted thinking", () => {
    const parts: Part[] = [
      { type: "thinking", thinking: "cut off mid-thou" },
      { type: "thinking", thinking: "", signature: "sig-omitted" },
      { type: "redacted_thinking", data: "opaque" },
      text(""),
      text("Hi"),
    ];
    expect(replyTurns(parts)).toEqual([{ role: "assistant", parts: [parts[1], parts[2], text("Hi")] }]);
  });

  it("builds a conversation: a later question joins the tool results of an interrupted reply, results first", () => {
    const turns = buildTurns([row("user", [text("Q1")]), row("assistant", [call("a")]), row("user", [text("Q2")])]);
    expect(turns).toEqual([
      { role: "user", parts: [text("Q1")] },
      { role: "assistant", parts: [call("a")] },
      { role: "user", parts: [{ type: "tool_result", toolUseId: "a", content: INTERRUPTED_TOOL_RESULT, isError: true }, text("Q2")] },
    ]);
  });
});

describe("planTurns", () => {
  const history = [row("user", [text("What is 1+1?")])];
  const base = [{ role: "user", parts: [text("What is 1+1?")] }];

  it("fresh: no parts yet", () => {
    expect(planTurns(history, [], true)).toMatchObject({ mode: "fresh", turns: base, rewritten: false });
  });

  it("resume: stopped after tool results, or mid-tool — the model takes its next turn", () => {
    const afterResults = planTurns(history, [call("a"), result("a")], true);
    expect(afterResults.mode).toBe("resume");
    expect(afterResults.turns).toEqual([...base, { role: "assistant", parts: [call("a")] }, { role: "user", parts: [result("a")] }]);
    const midTool = planTurns(history, [think, text("Working."), call("a")], false);
    expect(midTool.mode).toBe("resume");
    expect(midTool.turns.at(-1)).toEqual({ role: "user", parts: [{ type: "tool_result", toolUseId: "a", content: INTERRUPTED_TOOL_RESULT, isError: true }] });
    // Only thinking so far in the new turn: it is not resumable, the model starts that turn over.
    const thinkingOnly = planTurns(history, [call("a"), result("a"), think], false);
    expect(thinkingOnly.turns.at(-1)?.role).toBe("user");
  });

  it("prefill after a tool step: earlier steps as turns, the partial text (trimmed) as the final assistant turn", () => {
    const parts = [call("a"), result("a"), text("The answer is ")];
    const plan = planTurns(history, parts, true);
    expect(plan).toMatchObject({ mode: "prefill", rewritten: true, resumeTextIndex: 2 });
    expect(plan.parts[2]).toEqual(text("The answer is"));
    expect(plan.turns.slice(1)).toEqual([
      { role: "assistant", parts: [call("a")] },
      { role: "user", parts: [result("a")] },
      { role: "assistant", parts: [text("The answer is")] },
    ]);
  });

  it("instruction when prefill is impossible (thinking in play): no final assistant turn, thinking of the cut turn left out", () => {
    const parts = [call("a"), result("a"), think, text("The answer is ")];
    const plan = planTurns(history, parts, true);
    expect(plan).toMatchObject({ mode: "instruction", dropLeadingSpace: true, resumeTextIndex: 3, rewritten: false });
    expect(plan.turns.slice(-2)).toEqual([
      { role: "assistant", parts: [text("The answer is")] },
      { role: "user", parts: [text(CONTINUE_INSTRUCTION)] },
    ]);
    expect(plan.turns[1]).toEqual({ role: "assistant", parts: [call("a")] });
  });
});
