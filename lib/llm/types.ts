// The provider seam: every model source (Claude through @anthropic-ai/sdk, the
// local demo model) yields the same normalized events, so the generation
// pipeline never knows which one it is talking to.
import type { Part, Usage } from "../chat/types";

/** A turn sent to the model. Parts use the app's shapes (lib/types). */
export type ChatTurn = { role: "user" | "assistant"; parts: Part[] };

/** A tool the model may call: its input as JSON Schema (an object schema). */
export type ToolSpec = { name: string; description: string; inputSchema: Record<string, unknown> };

/**
 * Extended thinking: `off`; `auto` = adaptive where the model supports it,
 * else off; `adaptive` / `enabled` (with a token budget) ask for that mode and
 * fall back to the nearest one the model accepts (lib/llm/thinking.ts).
 */
export type ThinkingMode = "off" | "auto" | "adaptive" | "enabled";

/**
 * Asks a cut-off reply to go on when prefill is impossible (Claude 4.6+, or
 * thinking in play): sent as a user turn after the partial reply.
 */
export const CONTINUE_INSTRUCTION =
  "Your previous reply was cut off. Continue it exactly where it stopped: do not repeat any of it, add no preamble, and keep its formatting (close any open code block or table only when the content calls for it).";

/**
 * A gateway request's own body (docs/GATEWAY.md), keys in the client's order:
 * its messages and every other parameter go upstream as the client wrote them;
 * `turns` (a Continue's partial reply) follow its messages.
 */
export type RawRequest = { body: Record<string, unknown> & { messages: unknown[] } };

export type ChatRequest = {
  turns: ChatTurn[];
  /** A gateway reply: sent instead of the app's own system prompt, tools, thinking and limits. */
  raw?: RawRequest;
  /** The model for this request (lib/llm/models.ts chooses it); default: the provider's. */
  model?: string;
  system?: string;
  maxTokens?: number;
  /** Tools the model may call; their results come back as `tool_result` parts. */
  tools?: ToolSpec[];
  /** `none`: the tools stay defined (the history may use them) but may not be called. Default `auto`. */
  toolChoice?: "auto" | "none";
  /** Overrides the provider's configured thinking mode for this request. */
  thinking?: ThinkingMode;
  /** Aborting ends the upstream request at once; the stream then just ends. */
  signal: AbortSignal;
  /** Abort and report `upstream_timeout` when upstream is silent this long. */
  idleTimeoutMs?: number;
};

/** A model one may choose (docs/API.md, GET /api/models). */
export type ModelInfo = { id: string; displayName: string; createdAt: string | null };

export type BlockStart = { type: "text" } | { type: "thinking" } | { type: "redacted_thinking"; data: string } | { type: "tool_use"; id: string; name: string };

export type ProviderEvent =
  | { type: "message_start"; model: string; usage?: Partial<Usage> }
  | { type: "block_start"; index: number; block: BlockStart }
  | { type: "text_delta"; index: number; text: string }
  | { type: "thinking_delta"; index: number; thinking: string }
  | { type: "signature"; index: number; signature: string }
  | { type: "input_json_delta"; index: number; json: string }
  | { type: "block_stop"; index: number }
  | { type: "message_stop"; stopReason: string | null; stopSequence?: string | null; usage: Usage }
  /** Terminal: nothing follows. `retryable` = failed before any content. */
  | { type: "error"; code: ProviderErrorCode; message: string };

export type ProviderErrorCode =
  | "upstream_overloaded"
  | "upstream_rate_limited"
  | "upstream_error"
  | "upstream_connection"
  | "upstream_timeout"
  | "upstream_auth"
  | "upstream_forbidden"
  | "upstream_not_found"
  | "upstream_too_large"
  | "upstream_bad_request"
  | "upstream_incomplete";

export interface LlmProvider {
  readonly name: "anthropic" | "demo";
  readonly model: string;
  /**
   * Whether a cut-off reply can be continued by sending its text as the final
   * assistant turn (prefill). Claude 4.6+ refuses prefill, and no model takes
   * it with thinking on: the generation then asks in a user turn to continue
   * from the partial text instead.
   */
  readonly supportsPrefill: boolean;
  /** `supportsPrefill` for a model chosen per request (and a gateway request's own thinking setting). */
  prefillFor(model: string, raw?: RawRequest): boolean;
  /** The models this provider can answer with (the Models API for Claude); throws when it cannot tell. */
  listModels(): Promise<ModelInfo[]>;
  /**
   * Streams one model turn. Never throws for upstream failures: they arrive
   * as a final `error` event. When `signal` aborts, iteration ends promptly
   * with no error event.
   */
  stream(req: ChatRequest): AsyncIterable<ProviderEvent>;
}
