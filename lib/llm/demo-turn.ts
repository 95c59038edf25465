// What the demo model says in one turn, decided from the request alone (so it
// is deterministic): a question that mentions "think" gets a thinking block
// first; one that asks to calculate (or contains arithmetic), for the time,
// or to search gets the matching tool calls; after the tool results come
// back, an answer written from them. Asked what it cannot answer (the time in
// a place it does not know), it says so plainly. Continuations (prefill, or the
// "continue" instruction) resume the same text where it stopped.
import { contentOf, type FilePart, type ToolResultPart, type ToolUsePart } from "../chat/types";
import { DEMO_VARIANTS, demoReply, hash, topicOf } from "./demo-replies";
import { detectToolIntents, type Intent } from "./demo-intents";
import { unknownPlaceNote, zoneAsked } from "./demo-places";
import { DEMO_SIGNATURE_PREFIX } from "./thinking";
import { CONTINUE_INSTRUCTION, type ChatRequest, type ChatTurn } from "./types";

export type DemoBlock =
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

export { detectToolIntents };

export type DemoTurn = { blocks: DemoBlock[]; stopReason: "end_turn" | "tool_use" };

const WANTS_THINKING = /\bthink(?:ing)?\b/i;

const textOf = (turn: ChatTurn | undefined) => (turn ? contentOf(turn.parts) : "");

/** The request without a continuation: the conversation, and the partial text to resume. */
function splitContinuation(turns: ChatTurn[]): { turns: ChatTurn[]; partial: string } {
  const last = turns[turns.length - 1];
  if (last?.role === "assistant") return { turns: turns.slice(0, -1), partial: textOf(last) };
  if (last?.role === "user" && textOf(last) === CONTINUE_INSTRUCTION && turns[turns.length - 2]?.role === "assistant") {
    return { turns: turns.slice(0, -2), partial: textOf(turns[turns.length - 2]) };
  }
  return { turns, partial: "" };
}

export function planDemoTurn(req: ChatRequest): DemoTurn {
  const { turns, partial } = splitContinuation(req.turns);
  const last = turns[turns.length - 1];
  const lastText = textOf(last);
  const results = (last?.parts ?? []).filter((p): p is ToolResultPart => p.type === "tool_result");
  const question = lastText.trim() ? lastText : questionOf(turns);
  const think = WANTS_THINKING.test(question);
  const seed = `${question}\u0000${turns.length}`;
  let turn: DemoTurn;
  if (!lastText.trim() && results.length) {
    const calls = (turns[turns.length - 2]?.parts ?? []).filter((p): p is ToolUsePart => p.type === "tool_use");
    const answer = results
      .map((r) =>
        answerFor(
          r,
          calls.find((c) => c.id === r.toolUseId),
        ),
      )
      .join("\n\n");
    const blocks: DemoBlock[] = think
      ? [
          thinkingBlock(
            `The tool results are in. ${results.some((r) => r.isError) ? "One of them is an error, so I should say so plainly rather than guess." : "I'll state them clearly and briefly."}`,
          ),
        ]
      : [];
    turn = { blocks: [...blocks, { type: "text", text: answer }], stopReason: "end_turn" };
  } else {
    const offered = new Set((req.tools ?? []).map((t) => t.name));
    const intents = req.toolChoice === "none" ? [] : detectToolIntents(question).filter((i) => offered.has(i.name));
    const blocks: DemoBlock[] = [];
    if (think) blocks.push(thinkingBlock(thoughtsAbout(question, intents)));
    const cannot = cannotAnswer(question, intents, offered);
    if (intents.length) {
      blocks.push({ type: "text", text: [...intents.map((i) => i.preface), ...(cannot ? [cannot] : [])].join(" ") });
      intents.forEach((i, n) => blocks.push({ type: "tool_use", id: `toolu_demo_${hash(`${seed}\u0000${n}`).toString(36)}`, name: i.name, input: i.input }));
      turn = { blocks, stopReason: "tool_use" };
    } else {
      const say = (v: number) => acknowledged(req.system) + filesNote(last) + (cannot ?? demoReply(question, v));
      turn = { blocks: [...blocks, { type: "text", text: say(variantFor(seed, partial, say)) }], stopReason: "end_turn" };
    }
  }
  return partial ? resume(turn, partial) : turn;
}

// The same question asked again at the same point (Regenerate) gets the next
// reply, so a new version visibly differs. Per process, bounded.
const asked = new Map<string, number>();

function variantFor(seed: string, partial: string, say: (variant: number) => string): number {
  if (partial) {
    // Continuing a cut-off reply: the variant whose text it began.
    for (let v = 0; v < DEMO_VARIANTS; v++) if (say(v).startsWith(partial)) return v;
    return 0;
  }
  const n = asked.get(seed) ?? 0;
  if (asked.size >= 1000) asked.clear();
  asked.set(seed, n + 1);
  return n % DEMO_VARIANTS;
}

/**
 * A system prompt is acknowledged in one quoted line before the reply, so one
 * can see offline that instructions reach the model (docs/API.md).
 */
export function acknowledged(system: string | undefined): string {
  const first = system?.trim().split("\n", 1)[0];
  if (!first) return "";
  const chars = Array.from(first);
  return `> Following your instructions: “${chars.length > 80 ? chars.slice(0, 80).join("") + "…" : first}”\n\n`;
}

/**
 * What the demo says plainly instead of a canned reply when it is asked
 * something it cannot answer but looks as if it could: the time in a place
 * it cannot put in a time zone.
 */
function cannotAnswer(question: string, intents: Intent[], offered: Set<string>): string | undefined {
  if (!offered.has("current_time") || intents.some((i) => i.name === "current_time") || !/\btime\b(?!\s+complexity)/i.test(question)) return undefined;
  const asked = zoneAsked(question);
  return asked && "unknown" in asked ? unknownPlaceNote(asked.unknown) : undefined;
}

/** The text of the latest user turn that has any (the question being answered). */
function questionOf(turns: ChatTurn[]): string {
  for (let i = turns.length - 1; i >= 0; i--) if (turns[i].role === "user" && textOf(turns[i]).trim()) return textOf(turns[i]);
  return "";
}

/** Continues after `partial`: the blocks before the resumed text are already out. */
function resume(turn: DemoTurn, partial: string): DemoTurn {
  const at = turn.blocks.findIndex((b) => b.type === "text" && b.text.startsWith(partial));
  if (at < 0) return turn;
  const text = turn.blocks[at] as { type: "text"; text: string };
  const rest = text.text.slice(partial.length);
  return { ...turn, blocks: [...(rest ? [{ type: "text" as const, text: rest }] : []), ...turn.blocks.slice(at + 1)] };
}

function thinkingBlock(thinking: string): DemoBlock {
  return { type: "thinking", thinking, signature: `${DEMO_SIGNATURE_PREFIX}${hash(thinking).toString(16)}` };
}

function thoughtsAbout(question: string, intents: Intent[]): string {
  const topic = topicOf(question);
  const plan = intents.length
    ? `This needs ${intents.map((i) => `the ${i.name} tool`).join(" and ")} — an exact answer beats a guess, so I'll call it and then explain the result.`
    : "I'll structure it: first the core idea, then a concrete example in code, then the pitfalls people usually hit.";
  return `The user asks: “${topic}”. What do they actually need? ${plan} Keep it concise; use a table where a comparison helps. ✓`;
}

function answerFor(result: ToolResultPart, call: ToolUsePart | undefined): string {
  const name = call?.name ?? "the tool";
  if (result.isError) return `The ${name} call did not succeed: ${result.content}`;
  let data: Record<string, unknown> = {};
  try {
    data = JSON.parse(result.content) as Record<string, unknown>;
  } catch {
    return `The ${name} tool returned: ${result.content}`;
  }
  if (name === "calculate") return `The result is **${String(data.result)}**:\n\n\`\`\`\n${String(data.expression)} = ${String(data.result)}\n\`\`\``;
  if (name === "current_time") {
    return `It is **${String(data.time)}** on ${String(data.weekday)}, ${String(data.date)} in ${String(data.timeZone)} (UTC${String(data.utcOffset)}).`;
  }
  if (name === "search_conversations") {
    const matches = (data.matches ?? []) as { conversationTitle: string; role: string; snippet: string }[];
    if (matches.length === 0) return `I found nothing about “${String(data.query)}” in your earlier conversations.`;
    const lines = matches.map((m, i) => `${i + 1}. **${m.conversationTitle}** (${m.role === "user" ? "you" : "me"}): ${m.snippet}`);
    return `I found ${matches.length} message${matches.length === 1 ? "" : "s"} about “${String(data.query)}”:\n\n${lines.join("\n")}`;
  }
  return `The ${name} tool returned: ${result.content}`;
}

/** The demo cannot see files; it says which it received, by name and size (a real model reads them). */
export function filesNote(turn: ChatTurn | undefined): string {
  const files = (turn?.parts ?? []).filter((p): p is FilePart => p.type === "file");
  if (!files.length) return "";
  const size = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} bytes`);
  const what = (f: FilePart) =>
    f.kind === "image" && f.width
      ? `image, ${f.width}×${f.height}`
      : f.kind === "pdf"
        ? `PDF${f.pages ? `, ${f.pages} pages` : ""}`
        : f.kind === "text"
          ? "text"
          : f.kind;
  const list = files.map((f) => `**${f.name}** (${what(f)}, ${size(f.size)})`).join(", ");
  return `I received ${files.length === 1 ? "1 file" : `${files.length} files`}: ${list}. The demo model cannot read files; with an API key, Claude would.\n\n`;
}
