// Which extended-thinking request a model gets. Claude 4.6+ and 5.x take
// `{type: "adaptive"}` (Opus 4.7+ and 5.x take nothing else); Claude 3.7 and
// 4.0–4.5 take `{type: "enabled", budget_tokens}`; older models no thinking.
// Thinking tokens count toward max_tokens, so a thinking request gets the
// budget on top of the reply's own room (and budget_tokens < max_tokens holds).
import type Anthropic from "@anthropic-ai/sdk";
import type { ThinkingMode } from "./types";

export type ThinkingSupport = "adaptive_only" | "adaptive_or_budget" | "budget_only" | "none" | "unknown";

export const DEFAULT_THINKING_BUDGET = 8192;
/** The API's floor for budget_tokens. */
export const MIN_THINKING_BUDGET = 1024;

export function thinkingSupport(model: string): ThinkingSupport {
  const m = model.toLowerCase();
  if (/claude-(?:mythos|fable)-preview/.test(m)) return "adaptive_only";
  const modern = /claude-(opus|sonnet|haiku|fable|mythos)-(\d+)(?:-(\d{1,2})(?!\d))?/.exec(m);
  if (modern) {
    const major = Number(modern[2]);
    const minor = modern[3] === undefined ? 0 : Number(modern[3]);
    if (major >= 5 || (major === 4 && minor >= 7)) return "adaptive_only";
    if (major === 4 && minor === 6) return "adaptive_or_budget";
    if (major === 4) return "budget_only";
    if (major === 3) return minor >= 7 ? "budget_only" : "none";
    return "unknown";
  }
  // Older names put the version first: claude-3-7-sonnet-…, claude-3-5-haiku-…
  const legacy = /claude-(\d+)-(\d)-/.exec(m) ?? /claude-(\d+)-(?:opus|sonnet|haiku)/.exec(m);
  if (legacy) return Number(legacy[1]) === 3 && Number(legacy[2] ?? 0) >= 7 ? "budget_only" : "none";
  return "unknown";
}

export type ResolvedThinking = {
  /** The request's `thinking` field; undefined = leave it out (thinking off). */
  param?: Anthropic.ThinkingConfigParam;
  maxTokens: number;
};

/**
 * The thinking config and max_tokens for `model`. An explicit mode the model
 * cannot take falls back to the nearest it can (enabled ↔ adaptive); a model
 * we do not recognise gets explicit modes as asked and `auto` as off.
 */
export function resolveThinking(model: string, mode: ThinkingMode, budget: number, maxTokens: number): ResolvedThinking {
  const support = thinkingSupport(model);
  const budgetTokens = Math.max(MIN_THINKING_BUDGET, Math.floor(budget));
  const adaptive = (): ResolvedThinking => ({
    // Opus 4.7+ omit the thinking text unless asked; the app shows it.
    param: { type: "adaptive", display: "summarized" },
    maxTokens: maxTokens + budgetTokens,
  });
  const enabled = (): ResolvedThinking => ({
    param: { type: "enabled", budget_tokens: budgetTokens },
    maxTokens: maxTokens + budgetTokens,
  });
  const off: ResolvedThinking = { maxTokens };
  if (mode === "off" || support === "none") return off;
  if (mode === "auto") return support === "adaptive_only" || support === "adaptive_or_budget" ? adaptive() : off;
  if (mode === "adaptive") return support === "budget_only" ? enabled() : adaptive();
  return support === "adaptive_only" ? adaptive() : enabled();
}

/** Signatures the demo model invents: never valid for the real API. */
export const DEMO_SIGNATURE_PREFIX = "tether-demo-signature:";
