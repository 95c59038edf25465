// Which model answers (docs/PROTOCOL.md §2): LLM_PROVIDER (anthropic|demo)
// wins; otherwise Claude when ANTHROPIC_API_KEY is set, else the built-in
// demo model. The choice is made once, in lib/config.ts.
import type { Config } from "../config";
import { AnthropicProvider } from "./anthropic";
import { DemoProvider } from "./demo";
import type { LlmProvider } from "./types";

export type { ChatRequest, ChatTurn, LlmProvider, ProviderErrorCode, ProviderEvent, ThinkingMode, ToolSpec } from "./types";
export { AnthropicProvider, DEFAULT_ANTHROPIC_MODEL } from "./anthropic";
export { DemoProvider } from "./demo";

/** The configured provider (one SDK client, with its connection pool, per app). */
export function createProvider(c: Config["provider"]): LlmProvider {
  if (c.kind === "anthropic") {
    return new AnthropicProvider({
      apiKey: c.apiKey,
      baseURL: c.baseURL,
      model: c.model,
      thinking: c.thinking,
      thinkingBudget: c.thinkingBudget,
      maxTokens: c.maxTokens,
      promptCaching: c.promptCaching,
    });
  }
  return new DemoProvider({ tokenDelayMs: c.demoTokenDelayMs });
}
