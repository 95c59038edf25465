// How a reply's parts are laid out on screen: consecutive text parts form
// one text run, a tool call and its result form one card, and the block
// that is still growing is marked live. Pure, so it is unit-tested.
import type { Message, Part, ThinkingPart, ToolResultPart, ToolUsePart } from "../chat/types";

export type ToolState = "running" | "done" | "error";

type ReplyBlock =
  | { kind: "text"; key: string; text: string; live: boolean }
  | { kind: "thinking"; key: string; part: ThinkingPart; live: boolean }
  | { kind: "redacted_thinking"; key: string }
  | { kind: "tool"; key: string; index: number; use: ToolUsePart; result?: ToolResultPart; state: ToolState }
  | { kind: "tool_result"; key: string; part: ToolResultPart };

/**
 * The blocks of a reply, in order. `generating`: the reply is still being
 * written, so its last block is live (a thinking section open, a text run
 * with the cursor) and a tool call without a result is running.
 */
export function replyBlocks(message: Pick<Message, "parts" | "content">, generating: boolean): ReplyBlock[] {
  const parts: (Part | undefined)[] = message.parts;
  const results = new Map<string, ToolResultPart>();
  for (const p of parts) if (p?.type === "tool_result") results.set(p.toolUseId, p);
  const used = new Set<string>();
  for (const p of parts) if (p?.type === "tool_use" && results.has(p.id)) used.add(p.id);

  const blocks: ReplyBlock[] = [];
  parts.forEach((part, index) => {
    if (!part) return;
    const last = blocks.at(-1);
    switch (part.type) {
      case "text":
        if (last?.kind === "text") last.text += part.text;
        else blocks.push({ kind: "text", key: `t${index}`, text: part.text, live: false });
        return;
      case "thinking":
        blocks.push({ kind: "thinking", key: `p${index}`, part, live: false });
        return;
      case "redacted_thinking":
        blocks.push({ kind: "redacted_thinking", key: `p${index}` });
        return;
      case "tool_use": {
        const result = results.get(part.id);
        const state: ToolState = result ? (result.isError ? "error" : "done") : generating ? "running" : "error";
        blocks.push({ kind: "tool", key: `p${index}`, index, use: part, result, state });
        return;
      }
      case "tool_result":
        // Shown inside its tool call's card; alone only if that call is missing.
        if (!used.has(part.toolUseId)) blocks.push({ kind: "tool_result", key: `p${index}`, part });
        return;
    }
  });
  // Older rows may carry text in `content` only.
  if (!blocks.some((b) => b.kind === "text") && message.content) blocks.push({ kind: "text", key: "content", text: message.content, live: false });

  const tail = blocks.at(-1);
  if (generating && tail && (tail.kind === "text" || tail.kind === "thinking")) tail.live = true;
  return blocks;
}
