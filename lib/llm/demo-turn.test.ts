// The demo model's thinking and tool use, without a key or network.
import { describe, expect, it } from "vitest";
import { DemoProvider, demoReply } from "./demo";
import { DEMO_NOTICE } from "./demo-replies";
import { unknownPlaceNote } from "./demo-places";
import { detectToolIntents } from "./demo-turn";
import { DEMO_SIGNATURE_PREFIX } from "./thinking";
import { CONTINUE_INSTRUCTION, type ChatRequest, type ChatTurn, type ProviderEvent, type ToolSpec } from "./types";

const TOOLS: ToolSpec[] = ["calculate", "current_time", "search_conversations"].map((name) => ({ name, description: name, inputSchema: { type: "object" } }));
const user = (text: string): ChatTurn => ({ role: "user", parts: [{ type: "text", text }] });

async function run(turns: ChatTurn[], extra: Partial<ChatRequest> = {}) {
  const evs: ProviderEvent[] = [];
  for await (const ev of new DemoProvider({ tokenDelayMs: 0 }).stream({ turns, signal: new AbortController().signal, tools: TOOLS, ...extra })) evs.push(ev);
  return evs;
}
const textOf = (evs: ProviderEvent[]) => evs.map((e) => (e.type === "text_delta" ? e.text : "")).join("");
const thinkingOf = (evs: ProviderEvent[]) => evs.map((e) => (e.type === "thinking_delta" ? e.thinking : "")).join("");
const jsonOf = (evs: ProviderEvent[], index: number) => evs.map((e) => (e.type === "input_json_delta" && e.index === index ? e.json : "")).join("");

describe("demo model: tool intents", () => {
  it.each([
    ["Please calculate 17 * 23 for me.", [["calculate", { expression: "17 * 23" }]]],
    ["calculate sqrt(16) + 2", [["calculate", { expression: "sqrt(16) + 2" }]]],
    ["What is 12*(3+4)?", [["calculate", { expression: "12*(3+4)" }]]],
    ["What time is it in Europe/Paris?", [["current_time", { timezone: "Europe/Paris" }]]],
    ["What time is it in Tokyo?", [["current_time", { timezone: "Asia/Tokyo" }]]],
    ["what's the time in new york", [["current_time", { timezone: "America/New_York" }]]],
    ["What time is it in Atlantis?", []],
    ["what's the time", [["current_time", {}]]],
    ['Search my conversations for "sourdough starter"', [["search_conversations", { query: "sourdough starter" }]]],
    ["search for monads", [["search_conversations", { query: "monads" }]]],
    ["search: quokkas", [["search_conversations", { query: "quokkas" }]]],
    ["How do binary search trees work?", []],
    [
      "Calculate 2^10 and tell me the time",
      [
        ["calculate", { expression: "2^10" }],
        ["current_time", {}],
      ],
    ],
    ["What's the time complexity of quicksort?", []],
    ["I think monads are neat", []],
    ["Released in 2024-2025", []],
    ["calculate mean(3, 4, 8) please", [["calculate", { expression: "mean(3, 4, 8)" }]]],
  ])("%s", (question, expected) => {
    expect(detectToolIntents(question).map((i) => [i.name, i.input])).toEqual(expected);
  });
});

describe("demo model: thinking and tool turns", () => {
  it("thinks first when asked to, with a signature, then answers", async () => {
    const q = "Think carefully: how do hash maps work?";
    const evs = await run([user(q)], { tools: [] });
    expect(evs[1]).toEqual({ type: "block_start", index: 0, block: { type: "thinking" } });
    expect(thinkingOf(evs)).toContain("how do hash maps work");
    expect(evs.find((e) => e.type === "signature")).toMatchObject({ index: 0, signature: expect.stringMatching(new RegExp(`^${DEMO_SIGNATURE_PREFIX}`)) });
    expect(textOf(evs)).toBe(demoReply(q));
    expect(evs.at(-1)).toMatchObject({ type: "message_stop", stopReason: "end_turn" });
  });

  it("asks for the tools a question needs, input streamed as JSON fragments, then answers from the results", async () => {
    const q = "think, then calculate 2 + 3 * 4 and what time is it in Asia/Tokyo?";
    const first = await run([user(q)]);
    const starts = first.flatMap((e) => (e.type === "block_start" ? [e.block] : []));
    expect(starts.map((b) => b.type)).toEqual(["thinking", "text", "tool_use", "tool_use"]);
    expect(JSON.parse(jsonOf(first, 2))).toEqual({ expression: "2 + 3 * 4" });
    expect(JSON.parse(jsonOf(first, 3))).toEqual({ timezone: "Asia/Tokyo" });
    expect(first.filter((e) => e.type === "input_json_delta" && e.index === 2).length).toBeGreaterThan(2);
    expect(first.at(-1)).toMatchObject({ type: "message_stop", stopReason: "tool_use" });
    expect(await run([user(q)])).toEqual(first); // deterministic

    const [calc, clock] = starts.slice(2) as { id: string; name: string }[];
    expect(calc.id).not.toBe(clock.id);
    const turns: ChatTurn[] = [
      user(q),
      {
        role: "assistant",
        parts: [
          { type: "text", text: textOf(first) },
          { type: "tool_use", id: calc.id, name: "calculate", input: { expression: "2 + 3 * 4" } },
          { type: "tool_use", id: clock.id, name: "current_time", input: { timezone: "Asia/Tokyo" } },
        ],
      },
      {
        role: "user",
        parts: [
          { type: "tool_result", toolUseId: calc.id, content: JSON.stringify({ expression: "2 + 3 * 4", result: "14" }), isError: false },
          { type: "tool_result", toolUseId: clock.id, content: "Unknown time zone", isError: true },
        ],
      },
    ];
    const second = await run(turns);
    expect(textOf(second)).toContain("The result is **14**");
    expect(textOf(second)).toContain("The current_time call did not succeed: Unknown time zone");
    expect(second.at(-1)).toMatchObject({ type: "message_stop", stopReason: "end_turn" });

    // Continue mid-answer (prefill): the rest, byte for byte.
    const full = textOf(second);
    const partial = full.slice(0, 20).trimEnd();
    const rest = await run([...turns, { role: "assistant", parts: [{ type: "text", text: partial }] }]);
    expect(partial + textOf(rest)).toBe(full);
    expect(rest.some((e) => e.type === "thinking_delta")).toBe(false);
  });

  it("reads the clock in the zone of a city it knows, and says which", async () => {
    const evs = await run([user("Think carefully: what time is it in Tokyo right now?")]);
    expect(textOf(evs)).toBe("I'll check the clock in Tokyo (Asia/Tokyo).");
    expect(JSON.parse(jsonOf(evs, 2))).toEqual({ timezone: "Asia/Tokyo" });
    expect(textOf(await run([user("what's the time")]))).toContain("in UTC: you named no time zone");
  });

  it("says plainly that it cannot tell the time in a place it does not know, instead of a canned reply", async () => {
    const evs = await run([user("What time is it in Atlantis?")]);
    expect(evs.some((e) => e.type === "block_start" && e.block.type === "tool_use")).toBe(false);
    expect(textOf(evs)).toBe(unknownPlaceNote("Atlantis"));
    expect(evs.at(-1)).toMatchObject({ type: "message_stop", stopReason: "end_turn" });
    // With another tool call: the call, and the same plain words.
    const both = await run([user("Calculate 6 * 7 and what time is it in Atlantis?")]);
    expect(textOf(both)).toContain("Let me work that out with the calculator.");
    expect(textOf(both)).toContain(unknownPlaceNote("Atlantis"));
  });

  it("says in every canned reply that it is a sample, not an answer, after the opening line", async () => {
    for (let v = 0; v < 4; v++) {
      const reply = demoReply("Think carefully: what is the capital of Australia?", v);
      const [opening, notice] = reply.split("\n\n");
      expect(opening).toContain("capital of Australia");
      expect(notice).toBe(DEMO_NOTICE);
    }
    const text = textOf(await run([user("Think carefully: what is the capital of Australia?")], { tools: [] }));
    expect(text).toContain("canned sample reply");
    expect(text).toContain("ANTHROPIC_API_KEY");
  });

  it("does not call tools it was not offered, or when tool use is off", async () => {
    const q = "calculate 6 * 7";
    expect((await run([user(q)], { tools: [] })).some((e) => e.type === "block_start" && e.block.type === "tool_use")).toBe(false);
    const q2 = "calculate 6 * 8";
    const off = await run([user(q2)], { toolChoice: "none" });
    expect(textOf(off)).toBe(demoReply(q2));
  });

  it("answers the same question differently when asked again (Regenerate), and continues either answer", async () => {
    const q = `Explain back-pressure ${Math.random()}`;
    const first = textOf(await run([user(q)], { tools: [] }));
    const second = textOf(await run([user(q)], { tools: [] }));
    expect(first).toBe(demoReply(q));
    expect(second).toBe(demoReply(q, 1));
    expect(second).not.toBe(first);
    const partial = second.slice(0, 120);
    const rest = await run([user(q), { role: "assistant", parts: [{ type: "text", text: partial }] }], { tools: [] });
    expect(partial + textOf(rest)).toBe(second);
  });

  it("continues after the continue instruction from where the text stopped", async () => {
    const q = "Think about retries";
    const full = textOf(await run([user(q)], { tools: [] }));
    const partial = full.slice(0, 50);
    const turns = [user(q), { role: "assistant" as const, parts: [{ type: "text" as const, text: partial.trimEnd() }] }, user(CONTINUE_INSTRUCTION)];
    const rest = await run(turns, { tools: [] });
    expect(rest.some((e) => e.type === "thinking_delta")).toBe(false);
    expect(partial.trimEnd() + textOf(rest)).toBe(full);
  });

  it("acknowledges a system prompt in a quoted first line, and continues such a reply", async () => {
    const q = `Explain sharding ${Math.random()}`;
    const system = "Answer like a pirate.\nAnd be brief.";
    const full = textOf(await run([user(q)], { tools: [], system }));
    expect(full.startsWith("> Following your instructions: “Answer like a pirate.”\n\n")).toBe(true);
    expect(textOf(await run([user(`${q}?`)], { tools: [] }))).not.toContain("Following your instructions");
    const partial = full.slice(0, 70);
    const rest = await run([user(q), { role: "assistant", parts: [{ type: "text", text: partial }] }], { tools: [], system });
    expect(partial + textOf(rest)).toBe(full);
  });
});
