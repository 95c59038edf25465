// The new chat's suggestions start the demo model's scenarios they promise:
// thinking, tool calls, code and a table (lib/llm/demo-turn.ts).
import { describe, expect, it } from "vitest";
import { SUGGESTIONS } from "./suggestions";
import { planDemoTurn } from "../llm/demo-turn";
import type { ToolSpec } from "../llm/types";

const TOOLS: ToolSpec[] = ["calculate", "current_time", "search_conversations"].map((name) => ({ name, description: name, inputSchema: { type: "object" } }));
const turnFor = (id: string) => {
  const prompt = SUGGESTIONS.find((s) => s.id === id)!.prompt;
  return planDemoTurn({ turns: [{ role: "user", parts: [{ type: "text", text: prompt }] }], tools: TOOLS, signal: new AbortController().signal });
};
const textOf = (blocks: ReturnType<typeof turnFor>["blocks"]) => blocks.map((b) => (b.type === "text" ? b.text : "")).join("");

describe("suggestions", () => {
  it("are four, each with a title and a prompt", () => {
    expect(SUGGESTIONS).toHaveLength(4);
    for (const s of SUGGESTIONS) expect(s.title && s.prompt).toBeTruthy();
  });

  it("'Think it through' thinks, then calculates", () => {
    const { blocks, stopReason } = turnFor("think");
    expect(blocks[0].type).toBe("thinking");
    expect(blocks.filter((b) => b.type === "tool_use")).toEqual([expect.objectContaining({ name: "calculate", input: { expression: "366 * 24 * 60 * 60" } })]);
    expect(stopReason).toBe("tool_use");
  });

  it("'Use two tools' calls the calculator and the clock", () => {
    const calls = turnFor("tools").blocks.filter((b) => b.type === "tool_use");
    expect(calls).toEqual([
      expect.objectContaining({ name: "calculate", input: { expression: "17 * 23" } }),
      expect.objectContaining({ name: "current_time", input: { timezone: "Asia/Tokyo" } }),
    ]);
  });

  it("'Write code' and 'Compare in a table' answer with code and a table", () => {
    for (const id of ["code", "table"]) {
      const text = textOf(turnFor(id).blocks);
      expect(text).toContain("```");
      expect(text).toMatch(/\n\|.*\|\n\|[-:|]+\|/);
    }
  });
});
