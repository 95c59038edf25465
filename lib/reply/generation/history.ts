// Builds the turns sent to the model from stored messages. The Messages API
// wants no empty content, tool results in a user turn right after the
// assistant turn that asked for them, and every tool_use answered. A reply
// with tool steps is therefore several turns: assistant (thinking, text,
// tool_use) → user (tool_result) → assistant … Neighbouring turns of one role
// are merged; replies that produced nothing are skipped.
import type { ChatTurn } from "../../llm/types";
import type { Message as MessageRow } from "../../generated/prisma/client";
import type { FilePart, Part, ToolResultPart } from "../../chat/types";

const fileParts = (parts: unknown): FilePart[] => (Array.isArray(parts) ? (parts as Part[]).filter((p): p is FilePart => p?.type === "file") : []);

/**
 * Sent (never stored) for a tool call that has no result: the reply was
 * stopped, or cut off, while the tool ran. The stored parts stay as streamed.
 */
export const INTERRUPTED_TOOL_RESULT = "The tool call was interrupted before it returned a result.";

export function usefulParts(parts: Part[]): Part[] {
  return parts.filter((p) => {
    if (p.type === "text") return p.text !== "";
    // Unsigned thinking (cut off mid-thought) is refused; signed thinking is
    // kept even when its text is empty (the API may omit it).
    if (p.type === "thinking") return !!p.signature;
    return true;
  });
}

/** A reply's parts as alternating model turns, each tool_use answered in the next user turn. */
export function replyTurns(parts: Part[]): ChatTurn[] {
  const runs: ChatTurn[] = [];
  for (const p of usefulParts(parts)) {
    const role = p.type === "tool_result" ? "user" : "assistant";
    const last = runs[runs.length - 1];
    if (last?.role === role) last.parts.push(p);
    else runs.push({ role, parts: [p] });
  }
  const turns: ChatTurn[] = [];
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i];
    if (run.role === "user") continue; // results with no tool call before them: nothing to answer
    turns.push({ role: "assistant", parts: run.parts.map((p) => ({ ...p })) });
    const ids = run.parts.flatMap((p) => (p.type === "tool_use" ? [p.id] : []));
    if (ids.length === 0) continue;
    const next = runs[i + 1]?.role === "user" ? runs[++i] : undefined;
    const results = new Map<string, ToolResultPart>();
    for (const p of next?.parts ?? []) if (p.type === "tool_result" && !results.has(p.toolUseId)) results.set(p.toolUseId, p);
    // In call order; a call with no result gets an error result.
    turns.push({
      role: "user",
      parts: ids.map((id) => results.get(id) ?? { type: "tool_result", toolUseId: id, content: INTERRUPTED_TOOL_RESULT, isError: true }),
    });
  }
  return turns;
}

/** Merges a turn into the list, joining it to a last turn of the same role. */
export function appendTurn(turns: ChatTurn[], turn: ChatTurn): void {
  if (turn.parts.length === 0) return;
  const last = turns[turns.length - 1];
  if (last && last.role === turn.role) last.parts.push(...turn.parts);
  else turns.push({ role: turn.role, parts: [...turn.parts] });
}

/** `base` followed by `more`, as a new list (same-role neighbours merged). */
export function joinTurns(base: ChatTurn[], more: ChatTurn[]): ChatTurn[] {
  const turns: ChatTurn[] = [];
  for (const t of [...base, ...more]) appendTurn(turns, t);
  return turns;
}

export function buildTurns(rows: Pick<MessageRow, "role" | "content" | "parts">[]): ChatTurn[] {
  const turns: ChatTurn[] = [];
  for (const row of rows) {
    // Files first, then the text (the order the API's docs recommend for images).
    if (row.role === "user") appendTurn(turns, { role: "user", parts: [...fileParts(row.parts), { type: "text", text: row.content }] });
    else for (const turn of replyTurns((row.parts ?? []) as Part[])) appendTurn(turns, turn);
  }
  // A conversation must start with the user.
  while (turns.length && turns[0].role !== "user") turns.shift();
  return turns;
}
