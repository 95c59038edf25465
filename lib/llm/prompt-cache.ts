// Prompt caching (docs/BENCHMARKS.md "Prompt caching"): `cache_control`
// breakpoints that let each turn of a long conversation read the prefix the
// turn before wrote, instead of paying for the whole history again.
//  1. the end of the fixed part (tools, then system), when it is long enough
//     to be cached on its own: it stays valid across conversations and edits;
//  2. the last block of the final user turn: this request writes everything
//     up to it, for the next turn to read;
//  3. the last block of the user turn before it: what the previous request
//     wrote (its breakpoint 2), read even when more than the API's 20-block
//     look-back lies between (a tool step with many results).
// Three of the four breakpoints the API allows. A prefix shorter than the
// smallest minimum the API caches (1024 tokens, estimated at 4 characters a
// token) gets none: the API would not cache it and the marker would be noise.
import type Anthropic from "@anthropic-ai/sdk";

export const MIN_CACHEABLE_TOKENS = 1024;
const EPHEMERAL = { type: "ephemeral" } as const;

type Params = Anthropic.MessageCreateParamsStreaming;
type Content = Anthropic.ContentBlockParam;

const estimateTokens = (chars: number) => Math.ceil(chars / 4);
const size = (x: unknown) => (x === undefined ? 0 : JSON.stringify(x).length);
const cacheable = (b: Content) => b.type !== "thinking" && b.type !== "redacted_thinking";

/** The request with breakpoints added (a new object; the given one is not changed). */
export function withCacheBreakpoints(params: Params, minTokens = MIN_CACHEABLE_TOKENS): Params {
  const out: Params = { ...params };
  let chars = size(params.tools) + size(params.system);
  if (estimateTokens(chars) >= minTokens) {
    if (typeof params.system === "string" && params.system) out.system = [{ type: "text", text: params.system, cache_control: EPHEMERAL }];
    else if (Array.isArray(params.system) && params.system.length) out.system = markLast(params.system) as Anthropic.TextBlockParam[];
    else if (params.tools?.length) out.tools = markLast(params.tools as object[]) as Params["tools"];
  }
  // Where each user turn ends, counted from the start of the prompt.
  const userEnds: { index: number; tokens: number }[] = [];
  params.messages.forEach((m, index) => {
    chars += size(m.content);
    if (m.role === "user") userEnds.push({ index, tokens: estimateTokens(chars) });
  });
  const messages = params.messages.slice();
  for (const end of userEnds.slice(-2)) {
    if (end.tokens < minTokens) continue;
    const m = messages[end.index];
    const blocks: Content[] = typeof m.content === "string" ? [{ type: "text", text: m.content }] : m.content;
    const last = blocks.length - 1;
    if (last < 0 || !cacheable(blocks[last])) continue;
    messages[end.index] = { ...m, content: markLast(blocks) } as Anthropic.MessageParam;
  }
  out.messages = messages;
  return out;
}

function markLast<T extends object>(items: T[]): T[] {
  const copy = items.slice();
  copy[copy.length - 1] = { ...copy[copy.length - 1], cache_control: EPHEMERAL };
  return copy;
}
