// What to send the model for a reply, fresh or continued. The reply's stored
// parts go back as the turns they came from (history.ts), so a Continue
// after a tool step carries the tool calls and results. Then, by where the
// reply stopped:
//  - nothing yet, or after tool results (or a tool call stopped mid-run,
//    answered with an error result): the model simply takes its next turn;
//  - inside a model turn with text: resumed by prefill where the model accepts
//    it (the text, trailing whitespace trimmed as the API demands, as the final
//    assistant turn); otherwise (Claude 4.6+, or thinking in play — prefill is
//    not allowed with thinking) a user turn asks to continue from the partial
//    text. Unfinished thinking is not sent and cannot be resumed.
import type { ChatTurn } from "../../llm/types";
import { CONTINUE_INSTRUCTION } from "../../llm/types";
import type { Message as MessageRow } from "../../generated/prisma/client";
import type { Part } from "../../chat/types";
import { buildTurns, joinTurns, replyTurns } from "./history";

export { CONTINUE_INSTRUCTION };

export type TurnPlan = {
  /** The conversation before this reply. */
  base: ChatTurn[];
  turns: ChatTurn[];
  /** The parts to start from (text may have been trimmed). */
  parts: Part[];
  /** True when stored text changed: a numbered snapshot must announce it. */
  rewritten: boolean;
  resumeTextIndex?: number;
  dropLeadingSpace: boolean;
  mode: "fresh" | "resume" | "prefill" | "instruction";
};

type Row = Pick<MessageRow, "role" | "content" | "parts">;

const textOf = (turn: ChatTurn) => turn.parts.map((p) => (p.type === "text" ? p.text : "")).join("");

export function planTurns(history: Row[], parts: Part[], supportsPrefill: boolean): TurnPlan {
  const base = buildTurns(history);
  const steps = replyTurns(parts);
  const plain = { base, parts, rewritten: false, dropLeadingSpace: false };
  const tail = steps[steps.length - 1];
  // Stopped between model turns (or before the first): the model goes on.
  if (!tail || tail.role === "user" || textOf(tail).trim() === "") {
    const done = tail?.role === "assistant" ? steps.slice(0, -1) : steps;
    return { ...plain, turns: joinTurns(base, done), mode: done.length ? "resume" : "fresh" };
  }
  // Stopped inside a model turn that had written text.
  const earlier = steps.slice(0, -1);
  const lastIndex = parts.length - 1;
  const last = parts[lastIndex];
  const resumeTextIndex = last?.type === "text" ? lastIndex : undefined;
  const partial = textOf(tail).trimEnd();
  const prefill = supportsPrefill && !parts.some((p) => p.type === "thinking" || p.type === "redacted_thinking");
  if (prefill) {
    let next = parts;
    let rewritten = false;
    if (last?.type === "text" && last.text !== last.text.trimEnd()) {
      next = parts.slice();
      next[lastIndex] = { type: "text", text: last.text.trimEnd() };
      rewritten = true;
    }
    const turns = joinTurns(base, [...earlier, { role: "assistant", parts: [{ type: "text", text: partial }] }]);
    return { ...plain, turns, parts: next, rewritten, resumeTextIndex, mode: "prefill" };
  }
  const turns = joinTurns(base, [
    ...earlier,
    { role: "assistant", parts: [{ type: "text", text: partial }] },
    { role: "user", parts: [{ type: "text", text: CONTINUE_INSTRUCTION }] },
  ]);
  const dropLeadingSpace = last?.type === "text" && /\s$/u.test(last.text);
  return { ...plain, turns, resumeTextIndex, dropLeadingSpace, mode: "instruction" };
}
