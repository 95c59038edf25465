// Gateway threads (docs/GATEWAY.md): the Messages API is stateless, so a
// client sends the whole history every time. A request whose messages are an
// earlier request's messages, that request's reply, and new user turns is
// the same conversation going on: its exchange joins that conversation (after
// that reply) instead of starting a new one. Messages are compared in a
// canonical form: what the model reads (text, thinking and its signature,
// tool calls and results), not how the client spelled it (a string or a text
// block, key order, cache_control, citations).
import { createHash } from "node:crypto";
import type { Db } from "../platform/db";
import type { Part } from "../chat/types";
import { apiBlock } from "./wire";

type Block = Record<string, unknown> & { type?: unknown };
type ApiMessage = { role: string; content: unknown };

/** JSON with every object's keys sorted: the same value always gives the same text. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

function canonicalContent(content: unknown): unknown[] {
  const blocks = typeof content === "string" ? [{ type: "text", text: content }] : Array.isArray(content) ? (content as Block[]) : [];
  return blocks.flatMap((b): unknown[] => {
    switch (b?.type) {
      case "text":
        return b.text === "" ? [] : [["text", b.text]];
      case "thinking":
        return [["thinking", b.thinking, b.signature]];
      case "redacted_thinking":
        return [["redacted_thinking", b.data]];
      case "tool_use":
        return [["tool_use", b.id, b.name, b.input ?? {}]];
      case "tool_result":
        return [["tool_result", b.tool_use_id, canonicalContent(b.content ?? ""), b.is_error === true]];
      default: {
        const { cache_control: _cache, citations: _citations, ...rest } = b ?? {};
        return [rest];
      }
    }
  });
}

/** The thread key of a list of messages (neighbouring turns of one role read as one, as the API reads them). */
export function historyHash(messages: ApiMessage[]): string {
  const turns: [string, unknown[]][] = [];
  for (const m of messages) {
    const content = canonicalContent(m.content);
    const last = turns.at(-1);
    if (last && last[0] === m.role) last[1].push(...content);
    else turns.push([m.role, content]);
  }
  return createHash("sha256").update(stable(turns)).digest("hex");
}

/** A reply's content as its client got it, in the canonical form. */
const replyContent = (parts: Part[]) => stable(canonicalContent(parts.map(apiBlock).filter((b) => b !== null)));

type Tx = Pick<Db, "gatewayRequest" | "message">;

/**
 * The reply a request goes on from: the earlier gateway reply of this user
 * whose request was `messages` up to the last assistant message and whose
 * content is that message. Null when there is none (a new thread).
 */
export async function threadParent(tx: Tx, userId: string, messages: ApiMessage[]): Promise<{ replyId: string; conversationId: string } | null> {
  const i = messages.findLastIndex((m) => m.role === "assistant");
  if (i < 1 || !messages.slice(i + 1).some((m) => m.role === "user")) return null;
  const earlier = await tx.gatewayRequest.findMany({
    where: { historyHash: historyHash(messages.slice(0, i)), message: { conversation: { userId } } },
    orderBy: { createdAt: "desc" },
    take: 5,
    select: { message: { select: { id: true, conversationId: true, parts: true } } },
  });
  const wanted = stable(canonicalContent(messages[i].content));
  const hit = earlier.find((r) => replyContent((r.message.parts ?? []) as Part[]) === wanted);
  return hit ? { replyId: hit.message.id, conversationId: hit.message.conversationId } : null;
}
