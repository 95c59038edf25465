// Which model answers (SPEC §2): LLM_PROVIDER (anthropic|demo) wins; otherwise
// Claude when ANTHROPIC_API_KEY is set, else the built-in demo model.
import { AnthropicProvider } from "./anthropic";
import { DemoProvider } from "./demo";
import { parseThinkingMode } from "./thinking";
import type { LlmProvider } from "./types";

export type { ChatRequest, ChatTurn, LlmProvider, ProviderErrorCode, ProviderEvent, ThinkingMode, ToolSpec } from "./types";
export { AnthropicProvider, DEFAULT_ANTHROPIC_MODEL } from "./anthropic";
export { DemoProvider } from "./demo";

type Env = Record<string, string | undefined>;

// One provider (and so one SDK client with its connection pool) per distinct
// configuration, kept across requests and hot reloads.
const g = globalThis as typeof globalThis & { __tetherProviders?: Map<string, LlmProvider> };
const cache = (g.__tetherProviders ??= new Map());

const val = (env: Env, key: string) => env[key]?.trim() || undefined;

export function providerKind(env: Env = process.env): "anthropic" | "demo" {
  const forced = val(env, "LLM_PROVIDER")?.toLowerCase();
  if (forced === "anthropic" || forced === "demo") return forced;
  if (forced) throw new Error(`LLM_PROVIDER must be "anthropic" or "demo", not "${forced}"`);
  return val(env, "ANTHROPIC_API_KEY") ? "anthropic" : "demo";
}

export function getProvider(env: Env = process.env): LlmProvider {
  const kind = providerKind(env);
  const config =
    kind === "anthropic"
      ? {
          kind,
          apiKey: val(env, "ANTHROPIC_API_KEY"),
          baseURL: val(env, "ANTHROPIC_BASE_URL"),
          model: val(env, "ANTHROPIC_MODEL"),
          thinking: parseThinkingMode(val(env, "ANTHROPIC_THINKING")),
          thinkingBudget: positiveInt(env, "ANTHROPIC_THINKING_BUDGET"),
          maxTokens: positiveInt(env, "ANTHROPIC_MAX_TOKENS"),
        }
      : { kind, delay: val(env, "DEMO_TOKEN_DELAY_MS") };
  const key = JSON.stringify(config);
  let provider = cache.get(key);
  if (!provider) {
    provider =
      config.kind === "anthropic"
        ? new AnthropicProvider(config)
        : new DemoProvider({ tokenDelayMs: demoDelay(config.delay) });
    cache.set(key, provider);
  }
  return provider;
}

function positiveInt(env: Env, key: string): number | undefined {
  const raw = val(env, key);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${key} must be a positive integer, not "${raw}"`);
  return n;
}

function demoDelay(raw: string | undefined): number | undefined {
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
