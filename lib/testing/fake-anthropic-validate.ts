// The request rules of the Messages API that a chat client can get wrong, so
// the fake answers 400 where the real API would (tests then fail loudly):
// tool results must answer the tool calls of the assistant turn right before
// them, first in their user turn; every tool call must be answered; thinking
// blocks need a signature; a final assistant turn (prefill) must not end in
// whitespace and is refused with thinking on; budget_tokens ≥ 1024 and below
// max_tokens. Consecutive turns of one role are merged first, as the API does.
// Image and document blocks: fake-anthropic-files.ts.
import { fileBlockProblem } from "./fake-anthropic-files";

type Block = { type?: string; text?: string; id?: string; tool_use_id?: string; signature?: unknown; thinking?: unknown };
type Turn = { role: string; content: Block[] };

function blocksOf(content: unknown): Block[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  return Array.isArray(content) ? (content as Block[]) : [];
}

/** The first rule the request breaks, as the API's error message; undefined when valid. */
export function requestProblem(body: unknown): string | undefined {
  const b = (body ?? {}) as { messages?: { role?: string; content?: unknown }[]; thinking?: { type?: string; budget_tokens?: number }; max_tokens?: number };
  const turns: Turn[] = [];
  for (const [mi, m] of (b.messages ?? []).entries()) {
    const role = m.role ?? "";
    if (role !== "user" && role !== "assistant") return `messages: unexpected role "${role}"`;
    for (const [bi, block] of blocksOf(m.content).entries()) {
      const problem = fileBlockProblem(block as Parameters<typeof fileBlockProblem>[0], `messages.${mi}.content.${bi}`, role);
      if (problem) return problem;
    }
    const last = turns[turns.length - 1];
    if (last?.role === role) last.content.push(...blocksOf(m.content));
    else turns.push({ role, content: [...blocksOf(m.content)] });
  }
  if (turns.length === 0) return "messages: at least one message is required";
  if (turns[0].role !== "user") return "messages: the first message must use the user role";
  const thinkingOn = b.thinking?.type === "enabled" || b.thinking?.type === "adaptive";
  if (b.thinking?.type === "enabled") {
    const budget = b.thinking.budget_tokens ?? 0;
    if (budget < 1024) return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024";
    if (b.max_tokens !== undefined && budget >= b.max_tokens) return "`max_tokens` must be greater than `thinking.budget_tokens`";
  }
  for (const [i, turn] of turns.entries()) {
    for (const block of turn.content) {
      if (block.type === "text" && !block.text) return `messages.${i}: text content blocks must be non-empty`;
      if (block.type === "thinking" && (typeof block.signature !== "string" || !block.signature)) return `messages.${i}: thinking blocks need a signature`;
      if (block.type === "tool_result" && turn.role !== "user") return `messages.${i}: tool_result blocks are only allowed in user messages`;
      if (block.type === "tool_use" && turn.role !== "assistant") return `messages.${i}: tool_use blocks are only allowed in assistant messages`;
    }
    const results = turn.content.filter((x) => x.type === "tool_result");
    if (turn.role === "user" && results.length) {
      const asked = new Set((turns[i - 1]?.content ?? []).filter((x) => x.type === "tool_use").map((x) => x.id));
      const stray = results.find((r) => !asked.has(r.tool_use_id));
      if (stray)
        return `messages.${i}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${stray.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
      const firstOther = turn.content.findIndex((x) => x.type !== "tool_result");
      if (firstOther >= 0 && firstOther < results.length) return `messages.${i}: tool_result blocks must come first in the user message`;
    }
    const calls = turn.content.filter((x) => x.type === "tool_use");
    if (turn.role === "assistant" && calls.length) {
      const next = turns[i + 1];
      const answered = new Set((next?.content ?? []).filter((x) => x.type === "tool_result").map((x) => x.tool_use_id));
      const missing = calls.filter((c) => !answered.has(c.id)).map((c) => c.id);
      if (missing.length)
        return `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(", ")}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
    }
  }
  const last = turns[turns.length - 1];
  if (last.role === "assistant") {
    if (thinkingOn) return "messages: a final assistant message (prefill) is not supported when thinking is enabled";
    const lastBlock = last.content[last.content.length - 1];
    if (lastBlock?.type === "text" && lastBlock.text !== lastBlock.text?.trimEnd()) return "messages: final assistant content cannot end with trailing whitespace";
  }
  return undefined;
}
