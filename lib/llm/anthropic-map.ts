// Pure mappings between the app's shapes and the Anthropic Messages API:
// request turns → content blocks, SDK stream events → ProviderEvents, and
// SDK failures → ProviderErrorCode with a message a user can act on.
import type Anthropic from "@anthropic-ai/sdk";
import { AnthropicError, APIConnectionError, APIConnectionTimeoutError, APIError } from "@anthropic-ai/sdk";
import type { Part, Usage } from "../types";
import { DEMO_SIGNATURE_PREFIX } from "./thinking";
import type { ChatTurn, ProviderErrorCode, ProviderEvent, ToolSpec } from "./types";

/**
 * Turns → API messages. Blocks the API would refuse are left out: empty text,
 * and thinking without a real signature (a reply cut off mid-thinking, or one
 * the offline demo model wrote); a turn left empty is dropped. A signed
 * thinking block is sent back verbatim, even with empty text (Opus 4.7+ may
 * omit the text and keep only the signature).
 */
export function toMessageParams(turns: ChatTurn[]): Anthropic.MessageParam[] {
  const out: Anthropic.MessageParam[] = [];
  for (const turn of turns) {
    const content = turn.parts.map(toBlock).filter((b): b is Anthropic.ContentBlockParam => b !== null);
    if (content.length) out.push({ role: turn.role, content } as Anthropic.MessageParam);
  }
  return out;
}

function toBlock(p: Part): Anthropic.ContentBlockParam | null {
  switch (p.type) {
    case "text":
      return p.text ? { type: "text", text: p.text } : null;
    case "thinking":
      return p.signature && !p.signature.startsWith(DEMO_SIGNATURE_PREFIX)
        ? { type: "thinking", thinking: p.thinking, signature: p.signature }
        : null;
    case "redacted_thinking":
      return { type: "redacted_thinking", data: p.data };
    case "tool_use":
      return { type: "tool_use", id: p.id, name: p.name, input: p.input ?? {} };
    case "tool_result":
      return { type: "tool_result", tool_use_id: p.toolUseId, content: p.content, is_error: p.isError };
  }
}

/** Our tool specs → the API's custom tools. */
export function toToolParams(tools: ToolSpec[]): Anthropic.Tool[] {
  return tools.map((t) => ({
    name: t.name,
    description: t.description,
    input_schema: { ...t.inputSchema, type: "object" } as Anthropic.Tool.InputSchema,
  }));
}

type RawUsage = {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
};

/** Per-attempt translation state: upstream block index → our index, and running usage. */
export class EventMapper {
  private indexes = new Map<number, number>();
  private next = 0;
  private stopReason: string | null = null;
  readonly usage: Usage = { inputTokens: 0, outputTokens: 0 };
  sawMessageStop = false;

  map(ev: Anthropic.RawMessageStreamEvent): ProviderEvent[] {
    switch (ev.type) {
      case "message_start":
        this.addUsage(ev.message.usage);
        return [{ type: "message_start", model: ev.message.model, usage: { ...this.usage } }];
      case "content_block_start": {
        const b = ev.content_block;
        const block =
          b.type === "text" ? { type: "text" as const }
          : b.type === "thinking" ? { type: "thinking" as const }
          : b.type === "redacted_thinking" ? { type: "redacted_thinking" as const, data: b.data }
          : b.type === "tool_use" ? { type: "tool_use" as const, id: b.id, name: b.name }
          : null; // server tools, citations etc. are not part of the app's model
        if (!block) return [];
        // Re-index densely: skipped upstream blocks leave no holes.
        const index = this.next++;
        this.indexes.set(ev.index, index);
        return [{ type: "block_start", index, block }];
      }
      case "content_block_delta": {
        const index = this.indexes.get(ev.index);
        if (index === undefined) return [];
        const d = ev.delta;
        if (d.type === "text_delta") return [{ type: "text_delta", index, text: d.text }];
        if (d.type === "thinking_delta") return [{ type: "thinking_delta", index, thinking: d.thinking }];
        if (d.type === "signature_delta") return [{ type: "signature", index, signature: d.signature }];
        if (d.type === "input_json_delta") return [{ type: "input_json_delta", index, json: d.partial_json }];
        return [];
      }
      case "content_block_stop": {
        const index = this.indexes.get(ev.index);
        return index === undefined ? [] : [{ type: "block_stop", index }];
      }
      case "message_delta":
        this.stopReason = ev.delta.stop_reason ?? this.stopReason;
        this.addUsage(ev.usage);
        return [];
      case "message_stop":
        this.sawMessageStop = true;
        return [{ type: "message_stop", stopReason: this.stopReason, usage: { ...this.usage } }];
      default:
        return [];
    }
  }

  // Usage counters in the API are cumulative totals: overwrite, never add.
  private addUsage(u: RawUsage | undefined) {
    if (!u) return;
    if (u.input_tokens != null) this.usage.inputTokens = u.input_tokens;
    if (u.output_tokens != null) this.usage.outputTokens = u.output_tokens;
    if (u.cache_read_input_tokens != null) this.usage.cacheReadInputTokens = u.cache_read_input_tokens;
    if (u.cache_creation_input_tokens != null) this.usage.cacheCreationInputTokens = u.cache_creation_input_tokens;
  }
}

export type ClassifiedError = { code: ProviderErrorCode; message: string };

/** SDK failure → error code and message. `transient` codes may be retried before content. */
export function classifyError(e: unknown): ClassifiedError {
  if (e instanceof APIConnectionTimeoutError) {
    return { code: "upstream_timeout", message: "The Anthropic API did not answer in time." };
  }
  if (e instanceof APIConnectionError) {
    return { code: "upstream_connection", message: `Could not reach the Anthropic API (${causeOf(e)}).` };
  }
  if (e instanceof APIError) {
    const upstream = e.apiMessage ?? e.message;
    const status = e.status;
    if (status === 401) {
      return { code: "upstream_auth", message: "The Anthropic API key is invalid or revoked (401). Check ANTHROPIC_API_KEY." };
    }
    if (status === 403) {
      return { code: "upstream_auth", message: `The Anthropic API key may not do this (403): ${upstream}` };
    }
    if (status === 429 || e.type === "rate_limit_error") {
      return { code: "upstream_rate_limited", message: "Anthropic's rate limit was reached; try again in a moment." };
    }
    if (status === 529 || e.type === "overloaded_error") {
      return { code: "upstream_overloaded", message: "Claude is overloaded right now; try again in a moment." };
    }
    if (status !== undefined && status >= 400 && status < 500) {
      return { code: "upstream_bad_request", message: `Anthropic rejected the request (${status}): ${upstream}` };
    }
    return { code: "upstream_error", message: `The Anthropic API failed${status ? ` (${status})` : ""}: ${upstream}` };
  }
  if (e instanceof AnthropicError && /without sending any chunks|without producing/i.test(e.message)) {
    return { code: "upstream_incomplete", message: "The Anthropic stream ended before the reply was complete." };
  }
  // The SDK wraps fetch's body errors ("terminated" on a dropped socket, ECONNRESET…)
  // in a plain AnthropicError whose cause is the network error.
  if (e instanceof AnthropicError && (e.cause !== undefined || /terminated|socket|ECONNRESET/i.test(e.message))) {
    return { code: "upstream_connection", message: `The connection to the Anthropic API was lost mid-reply (${causeOf(e)}).` };
  }
  return { code: "upstream_error", message: `Unexpected failure talking to the Anthropic API: ${String((e as Error)?.message ?? e)}` };
}

const TRANSIENT: ProviderErrorCode[] = [
  "upstream_overloaded", "upstream_rate_limited", "upstream_error", "upstream_connection", "upstream_incomplete",
];
export const isTransient = (code: ProviderErrorCode) => TRANSIENT.includes(code);

function causeOf(e: Error): string {
  const parts: string[] = [e.message];
  for (let c = (e as { cause?: unknown }).cause, depth = 0; c && depth < 3; depth++) {
    const err = c as { message?: string; code?: string; cause?: unknown };
    parts.push(err.code ?? err.message ?? String(c));
    c = err.cause;
  }
  return [...new Set(parts.filter(Boolean))].join(": ");
}
