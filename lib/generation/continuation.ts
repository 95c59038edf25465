// What to send the model for a reply, fresh or continued. A continued reply
// (Continue after Stop or failure) is resumed by prefill where the model
// accepts it: its text, trailing whitespace trimmed (the API refuses it), as
// the final assistant turn. Otherwise (Claude 4.6+, or thinking in play) a
// user turn asks to continue from the partial text. Unfinished thinking and
// tool-use blocks cannot be resumed and are not sent.
import type { ChatTurn } from "../llm/types";
import type { Message as MessageRow } from "../generated/prisma/client";
import { contentOf, type Part } from "../types";
import { buildTurns } from "./history";

export const CONTINUE_INSTRUCTION =
  "Your previous reply was cut off. Continue it exactly where it stopped: do not repeat any of it, add no preamble, and keep its formatting (close any open code block or table only when the content calls for it).";

export type TurnPlan = {
  turns: ChatTurn[];
  /** The parts to start from (text may have been trimmed). */
  parts: Part[];
  /** True when stored text changed: a numbered snapshot must announce it. */
  rewritten: boolean;
  resumeTextIndex?: number;
  dropLeadingSpace: boolean;
  mode: "fresh" | "prefill" | "instruction";
};

type Row = Pick<MessageRow, "role" | "content" | "parts">;

export function planTurns(history: Row[], parts: Part[], supportsPrefill: boolean): TurnPlan {
  const base = buildTurns(history);
  const text = contentOf(parts);
  if (text.trim() === "") {
    return { turns: base, parts, rewritten: false, dropLeadingSpace: false, mode: "fresh" };
  }
  const lastIndex = parts.length - 1;
  const last = parts[lastIndex];
  const resumeTextIndex = last?.type === "text" ? lastIndex : undefined;
  const prefill = supportsPrefill && !parts.some((p) => p.type === "thinking" || p.type === "redacted_thinking");
  if (prefill) {
    let next = parts;
    let rewritten = false;
    if (last?.type === "text" && last.text !== last.text.trimEnd()) {
      next = parts.slice();
      next[lastIndex] = { type: "text", text: last.text.trimEnd() };
      rewritten = true;
    }
    const turns: ChatTurn[] = [...base, { role: "assistant", parts: [{ type: "text", text: contentOf(next).trimEnd() }] }];
    return { turns, parts: next, rewritten, resumeTextIndex, dropLeadingSpace: false, mode: "prefill" };
  }
  const turns: ChatTurn[] = [
    ...base,
    { role: "assistant", parts: [{ type: "text", text: text.trimEnd() }] },
    { role: "user", parts: [{ type: "text", text: CONTINUE_INSTRUCTION }] },
  ];
  const dropLeadingSpace = last?.type === "text" && /\s$/u.test(last.text);
  return { turns, parts, rewritten: false, resumeTextIndex, dropLeadingSpace, mode: "instruction" };
}
