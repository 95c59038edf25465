// Builds the turns sent to the model from stored messages. The Messages API
// wants alternating roles and no empty content: replies that produced nothing
// are skipped and neighbouring turns of one role merged.
import type { ChatTurn } from "../llm/types";
import type { Message as MessageRow } from "../generated/prisma/client";
import type { Part } from "../types";

function usefulParts(parts: Part[]): Part[] {
  return parts.filter((p) => {
    if (p.type === "text") return p.text !== "";
    if (p.type === "thinking") return p.thinking !== "" && !!p.signature; // unsigned thinking is refused
    return true;
  });
}

export function buildTurns(rows: Pick<MessageRow, "role" | "content" | "parts">[]): ChatTurn[] {
  const turns: ChatTurn[] = [];
  for (const row of rows) {
    const parts: Part[] = row.role === "user" ? [{ type: "text", text: row.content }] : usefulParts((row.parts ?? []) as Part[]);
    if (parts.length === 0) continue;
    const last = turns[turns.length - 1];
    if (last && last.role === row.role) last.parts.push(...parts);
    else turns.push({ role: row.role, parts });
  }
  // A conversation must start with the user.
  while (turns.length && turns[0].role !== "user") turns.shift();
  return turns;
}
