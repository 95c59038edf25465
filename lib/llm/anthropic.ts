// Claude through @anthropic-ai/sdk's `messages.stream`, normalized to
// ProviderEvents. What the SDK does not do for us, and this file does:
//  - never throw: every failure becomes one final `error` event;
//  - an idle watchdog (the SDK never times out a stream once headers arrived);
//  - invisible retries of failures that strike after the response started but
//    before any content (the SDK itself only retries before the headers);
//  - a caller's abort ends the upstream request and the iteration, silently.
import Anthropic from "@anthropic-ai/sdk";
import { EventMapper, classifyError, isTransient, rawParams, toMessageParams, toToolParams, type ClassifiedError } from "./anthropic-map";
import { DEFAULT_THINKING_BUDGET, resolveThinking } from "./thinking";
import { withCacheBreakpoints } from "./prompt-cache";
import type { ChatRequest, LlmProvider, ModelInfo, ProviderEvent, RawRequest, ThinkingMode } from "./types";

/** Newest Sonnet in SDK 1.12's model list. */
export const DEFAULT_ANTHROPIC_MODEL = "claude-sonnet-5-5";
export const DEFAULT_MAX_TOKENS = 4096;

export type AnthropicProviderOptions = {
  apiKey?: string;
  /** Without /v1; default: the SDK's (ANTHROPIC_BASE_URL, else api.anthropic.com). */
  baseURL?: string;
  model?: string;
  /** Room for the reply itself; thinking adds its budget on top. Default 4096. */
  maxTokens?: number;
  /** Extended thinking (lib/llm/thinking.ts). Default `auto`. */
  thinking?: ThinkingMode;
  /** budget_tokens in `enabled` mode, and the room added to max_tokens for any thinking. Default 8192. */
  thinkingBudget?: number;
  /** SDK retries before the response starts (HTTP 408/409/429/5xx/529, connection). Default 2. */
  maxRetries?: number;
  /** Our retries after the response started but before any content. Default 2. */
  preContentRetries?: number;
  /** First backoff of those retries, doubled each time. Default 250 ms. */
  retryDelayMs?: number;
  /** cache_control breakpoints on long prompts (lib/llm/prompt-cache.ts). Default true. */
  promptCaching?: boolean;
};

/** Events that show content has begun: from here on nothing may be retried. */
const COMMITTING = new Set<ProviderEvent["type"]>(["text_delta", "thinking_delta", "signature", "input_json_delta", "block_stop", "message_stop"]);

export class AnthropicProvider implements LlmProvider {
  readonly name = "anthropic" as const;
  readonly model: string;
  readonly supportsPrefill: boolean;
  private readonly client: Anthropic | null;
  private readonly maxTokens: number;
  private readonly thinking: ThinkingMode;
  private readonly thinkingBudget: number;
  private readonly preContentRetries: number;
  private readonly retryDelayMs: number;
  private readonly promptCaching: boolean;

  constructor(opts: AnthropicProviderOptions = {}) {
    this.model = opts.model || DEFAULT_ANTHROPIC_MODEL;
    this.maxTokens = opts.maxTokens ?? DEFAULT_MAX_TOKENS;
    this.thinking = opts.thinking ?? "auto";
    this.thinkingBudget = opts.thinkingBudget ?? DEFAULT_THINKING_BUDGET;
    this.supportsPrefill = this.prefillFor(this.model);
    this.preContentRetries = opts.preContentRetries ?? 2;
    this.retryDelayMs = opts.retryDelayMs ?? 250;
    this.promptCaching = opts.promptCaching ?? true;
    // Without a key the SDK would fall back to its credential chain (profiles,
    // token files); we would rather say plainly that the key is missing.
    this.client = opts.apiKey ? new Anthropic({ apiKey: opts.apiKey, baseURL: opts.baseURL || undefined, maxRetries: opts.maxRetries ?? 2 }) : null;
  }

  prefillFor(model: string, raw?: RawRequest): boolean {
    // Prefill is not allowed with extended thinking.
    if (raw) return modelAcceptsPrefill(model) && !isThinkingOn(raw.body.thinking);
    const thinkingOn = resolveThinking(model, this.thinking, this.thinkingBudget, this.maxTokens).param !== undefined;
    return modelAcceptsPrefill(model) && !thinkingOn;
  }

  /** The Models API, every page (active and deprecated models, newest first). */
  async listModels(): Promise<ModelInfo[]> {
    if (!this.client) throw new Error("ANTHROPIC_API_KEY is not set");
    const models: ModelInfo[] = [];
    for await (const m of this.client.models.list({ limit: 100 })) models.push({ id: m.id, displayName: m.display_name, createdAt: m.created_at });
    return models;
  }

  async *stream(req: ChatRequest): AsyncGenerator<ProviderEvent> {
    if (req.signal.aborted) return;
    if (!this.client) {
      yield { type: "error", code: "upstream_auth", message: "ANTHROPIC_API_KEY is not set, so Claude cannot be reached." };
      return;
    }
    const model = req.model || this.model;
    if (req.raw) {
      // A gateway request: the client chose its own limits, thinking, tools and cache breakpoints.
      yield* this.run(this.client, rawParams(req.raw, req.turns, model), req);
      return;
    }
    const thinking = resolveThinking(model, req.thinking ?? this.thinking, this.thinkingBudget, req.maxTokens ?? this.maxTokens);
    let params: Anthropic.MessageCreateParamsStreaming = {
      model,
      max_tokens: thinking.maxTokens,
      messages: toMessageParams(req.turns),
      stream: true,
      ...(req.system ? { system: req.system } : {}),
      ...(thinking.param ? { thinking: thinking.param } : {}),
      ...(req.tools?.length ? { tools: toToolParams(req.tools), ...(req.toolChoice === "none" ? { tool_choice: { type: "none" as const } } : {}) } : {}),
    };
    if (this.promptCaching) params = withCacheBreakpoints(params);
    yield* this.run(this.client, params, req);
  }

  /** The request, with our retries of failures before any content. */
  private async *run(client: Anthropic, params: Anthropic.MessageCreateParamsStreaming, req: ChatRequest): AsyncGenerator<ProviderEvent> {
    for (let attempt = 0; ; attempt++) {
      const outcome = yield* this.attempt(client, params, req, attempt < this.preContentRetries);
      if (outcome === "done" || req.signal.aborted) return;
      await sleep(this.retryDelayMs * 2 ** attempt, req.signal);
      if (req.signal.aborted) return;
    }
  }

  /** One upstream request. Returns "retry" when it failed transiently before any content. */
  private async *attempt(
    client: Anthropic,
    params: Anthropic.MessageCreateParamsStreaming,
    req: ChatRequest,
    mayRetry: boolean,
  ): AsyncGenerator<ProviderEvent, "done" | "retry"> {
    const upstream = client.messages.stream(params, { signal: req.signal });
    const mapper = new EventMapper();
    let connected = false;
    let timedOut = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Re-armed on every upstream event as it arrives (not as we consume it), so a
    // slow consumer never looks like a silent upstream. Pings are invisible here:
    // the SDK drops them before any listener sees them.
    const arm = () => {
      if (!req.idleTimeoutMs) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        upstream.abort();
      }, req.idleTimeoutMs);
    };
    upstream.on("connect", () => ((connected = true), arm()));
    upstream.on("streamEvent", arm);
    arm();

    // Held back until content starts, so a retried attempt leaves no trace.
    const held: ProviderEvent[] = [];
    let committed = false;
    let failure: unknown;
    const it = upstream[Symbol.asyncIterator]();
    try {
      for (;;) {
        let r: IteratorResult<Anthropic.MessageStreamEvent>;
        try {
          r = await it.next();
        } catch (e) {
          failure = e;
          break;
        }
        if (r.done) break;
        for (const ev of mapper.map(r.value)) {
          if (!committed && COMMITTING.has(ev.type)) {
            committed = true;
            yield* held.splice(0);
          }
          if (committed) yield ev;
          else held.push(ev);
        }
      }
      // The SDK's iterator can end quietly after an error that arrived while
      // events were still queued; done() rejects with it in every case.
      if (failure === undefined) await upstream.done().catch((e: unknown) => (failure = e));
    } finally {
      clearTimeout(timer);
      // A consumer that stops iterating must not leave the upstream request open.
      if (!upstream.ended) upstream.abort();
    }

    if (req.signal.aborted) return "done";
    let error: ClassifiedError | undefined;
    if (timedOut) {
      error = { code: "upstream_timeout", message: `The Anthropic API sent nothing for ${req.idleTimeoutMs} ms; the reply was cut off.` };
    } else if (failure !== undefined) {
      error = classifyError(failure, { model: params.model });
    } else if (!mapper.sawMessageStop) {
      error = { code: "upstream_incomplete", message: "The Anthropic stream ended before the reply was complete." };
    }
    if (!error) return "done";
    // Only failures after the response started: the SDK has already retried
    // the others (an HTTP 529 thrice must not become nine requests).
    if (mayRetry && connected && !committed && isTransient(error.code)) return "retry";
    yield* held;
    yield { type: "error", ...error };
    return "done";
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

const isThinkingOn = (t: unknown) => !!t && typeof t === "object" && (t as { type?: unknown }).type !== "disabled";

/** Claude 4.6 and later reject an assistant prefill with a 400 (docs/PROTOCOL.md §5.4 explains Continue without it). */
export function modelAcceptsPrefill(model: string): boolean {
  const m = /claude-(?:opus|sonnet|haiku)-(\d+)(?:-(\d{1,2})(?!\d))?/.exec(model);
  if (!m) return true; // claude-3-5-sonnet-… and other older names
  const major = Number(m[1]);
  const minor = m[2] === undefined ? 0 : Number(m[2]);
  return major < 4 || (major === 4 && minor < 6);
}
