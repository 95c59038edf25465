// Pure mappings between the app's shapes and the Anthropic Messages API:
// request turns → content blocks, SDK stream events → ProviderEvents, and
// SDK failures → ProviderErrorCode with a message a user can act on.
import type Anthropic from "@anthropic-ai/sdk";
import { AnthropicError, APIConnectionError, APIConnectionTimeoutError, APIError } from "@anthropic-ai/sdk";
import type { FilePart, Part, Usage } from "../chat/types";
import { DEMO_SIGNATURE_PREFIX } from "./thinking";
import type { ChatTurn, ProviderErrorCode, ProviderEvent, RawRequest, ToolSpec } from "./types";

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
      return p.signature && !p.signature.startsWith(DEMO_SIGNATURE_PREFIX) ? { type: "thinking", thinking: p.thinking, signature: p.signature } : null;
    case "redacted_thinking":
      return { type: "redacted_thinking", data: p.data };
    case "tool_use":
      return { type: "tool_use", id: p.id, name: p.name, input: p.input ?? {} };
    case "tool_result":
      return { type: "tool_result", tool_use_id: p.toolUseId, content: p.content, is_error: p.isError };
    case "file":
      return fileBlock(p);
  }
}

/** An attached file as the API takes it: image and document blocks with base64 sources, text files as a text block naming the file. */
export function fileBlock(p: FilePart): Anthropic.ContentBlockParam {
  if (p.data === undefined) return { type: "text", text: `[The attached file "${p.name}" is no longer available.]` };
  if (p.kind === "image") {
    return { type: "image", source: { type: "base64", media_type: p.mediaType as Anthropic.Base64ImageSource["media_type"], data: p.data } };
  }
  if (p.kind === "pdf") return { type: "document", title: p.name, source: { type: "base64", media_type: "application/pdf", data: p.data } };
  return { type: "text", text: `Attached file "${p.name}":\n\n${p.data}` };
}

/**
 * A gateway request as sent upstream: the client's parameters and messages as
 * written, the app's own turns (a Continue's partial reply) after them, a turn
 * of the same role joined to the client's last message.
 */
export function rawParams(raw: RawRequest, turns: ChatTurn[], model: string): Anthropic.MessageCreateParamsStreaming {
  const messages = [...raw.body.messages] as Anthropic.MessageParam[];
  for (const m of toMessageParams(turns)) {
    const last = messages.at(-1);
    if (last?.role !== m.role) messages.push(m);
    else messages[messages.length - 1] = { role: m.role, content: [...blocksOf(last.content), ...blocksOf(m.content)] } as Anthropic.MessageParam;
  }
  // Keys the body has keep their place (the client's order goes upstream as written).
  return { ...raw.body, model, messages, stream: true } as Anthropic.MessageCreateParamsStreaming;
}

const blocksOf = (c: Anthropic.MessageParam["content"]): Anthropic.ContentBlockParam[] =>
  typeof c === "string" ? [{ type: "text", text: c }] : (c as Anthropic.ContentBlockParam[]);

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
  private stopSequence: string | null = null;
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
          b.type === "text"
            ? { type: "text" as const }
            : b.type === "thinking"
              ? { type: "thinking" as const }
              : b.type === "redacted_thinking"
                ? { type: "redacted_thinking" as const, data: b.data }
                : b.type === "tool_use"
                  ? { type: "tool_use" as const, id: b.id, name: b.name }
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
        if (d.type === "text_delta") return [{ type: "text_delta", index, text: storable(d.text) }];
        if (d.type === "thinking_delta") return [{ type: "thinking_delta", index, thinking: storable(d.thinking) }];
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
        this.stopSequence = ev.delta.stop_sequence ?? this.stopSequence;
        this.addUsage(ev.usage);
        return [];
      case "message_stop":
        this.sawMessageStop = true;
        return [{ type: "message_stop", stopReason: this.stopReason, stopSequence: this.stopSequence, usage: { ...this.usage } }];
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

/** PostgreSQL cannot store U+0000: one in model text would make every save of the reply fail. */
const storable = (t: string) => (t.includes("\u0000") ? t.replaceAll("\u0000", "\uFFFD") : t);

export type ClassifiedError = { code: ProviderErrorCode; message: string };

/**
 * SDK failure → a stable code and a message a user can act on. The upstream's
 * own explanation is kept where it helps (a 400 says what was wrong); our own
 * internals (stack traces, local addresses) never go into the message.
 */
export function classifyError(e: unknown, ctx: { model?: string } = {}): ClassifiedError {
  if (e instanceof APIConnectionTimeoutError) {
    return { code: "upstream_timeout", message: "The Anthropic API did not answer in time. Try again in a moment." };
  }
  if (e instanceof APIConnectionError) {
    return { code: "upstream_connection", message: `Could not reach the Anthropic API (${networkCause(e)}). Try again in a moment.` };
  }
  if (e instanceof APIError) return classifyApiError(e, ctx);
  if (e instanceof AnthropicError && /without sending any chunks|without producing/i.test(e.message)) {
    return { code: "upstream_incomplete", message: "The Anthropic stream ended before the reply was complete." };
  }
  // The SDK wraps fetch's body errors ("terminated" on a dropped socket, ECONNRESET…)
  // in a plain AnthropicError whose cause is the network error.
  if (e instanceof AnthropicError && (e.cause !== undefined || /terminated|socket|ECONNRESET/i.test(e.message))) {
    return { code: "upstream_connection", message: `The connection to the Anthropic API was lost mid-reply (${networkCause(e)}).` };
  }
  console.error("unexpected failure talking to the Anthropic API", e);
  return { code: "upstream_error", message: "Talking to the Anthropic API failed unexpectedly. Try again in a moment." };
}

function classifyApiError(e: InstanceType<typeof APIError>, ctx: { model?: string }): ClassifiedError {
  const status = e.status;
  // The API's own words (e.g. "max_tokens: … too large"), one line, bounded.
  const said = oneLine(e.apiMessage ?? "");
  const because = said ? `: ${said}` : ".";
  switch (status) {
    case 400:
      return { code: "upstream_bad_request", message: `The Anthropic API rejected the request (400)${because}` };
    case 401:
      return { code: "upstream_auth", message: "The Anthropic API key is invalid or revoked (401). Check ANTHROPIC_API_KEY." };
    case 403:
      return { code: "upstream_forbidden", message: `The Anthropic API key is not allowed to do this (403)${because} Check the key's workspace and permissions.` };
    case 404:
      return {
        code: "upstream_not_found",
        message: `The model ${ctx.model ? `"${ctx.model}" ` : ""}was not found (404). Check ANTHROPIC_MODEL.`,
      };
    case 408:
      return { code: "upstream_timeout", message: "The Anthropic API timed out (408). Try again in a moment." };
    case 413:
      return { code: "upstream_too_large", message: "This conversation is too large for the Anthropic API (413). Start a new conversation or send less text." };
    case 429:
      return { code: "upstream_rate_limited", message: "Anthropic's rate limit was reached (429). Try again in a moment." };
    case 529:
      return { code: "upstream_overloaded", message: "Claude is overloaded right now (529). Try again in a moment." };
  }
  // A mid-stream `event: error` carries no status, only its type.
  if (e.type === "overloaded_error") return { code: "upstream_overloaded", message: "Claude is overloaded right now. Try again in a moment." };
  if (e.type === "rate_limit_error") return { code: "upstream_rate_limited", message: "Anthropic's rate limit was reached. Try again in a moment." };
  if (status !== undefined && status >= 400 && status < 500) {
    return { code: "upstream_bad_request", message: `The Anthropic API rejected the request (${status})${because}` };
  }
  return {
    code: "upstream_error",
    message: `The Anthropic API had an internal error${status ? ` (${status})` : ""}. Try again in a moment.`,
  };
}

const oneLine = (s: string) => {
  const flat = s.replace(/\s+/g, " ").trim();
  return flat.length > 300 ? `${flat.slice(0, 299)}…` : flat;
};

const TRANSIENT: ProviderErrorCode[] = ["upstream_overloaded", "upstream_rate_limited", "upstream_error", "upstream_connection", "upstream_incomplete"];
export const isTransient = (code: ProviderErrorCode) => TRANSIENT.includes(code);

/** The network error's code (ECONNREFUSED, ECONNRESET…) or a short message, never an address. */
function networkCause(e: Error): string {
  const parts: string[] = [];
  for (let c: unknown = e, depth = 0; c && depth < 4; depth++) {
    const err = c as { message?: string; code?: unknown; cause?: unknown };
    if (typeof err.code === "string" && /^[A-Z_]+$/.test(err.code)) parts.push(err.code);
    else if (err.message) parts.push(err.message.replace(/\b\d{1,3}(\.\d{1,3}){3}(:\d+)?|\[[0-9a-f:]+\](:\d+)?/gi, "").trim());
    c = err.cause;
  }
  return [...new Set(parts.filter(Boolean))].slice(0, 3).join(": ") || "network error";
}
