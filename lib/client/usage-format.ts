// How usage and cost read in the UI: short token counts (12.3k), amounts in
// the price table's currency with enough digits to tell small replies apart,
// and "unknown" (never 0) for a cost nobody priced.
import type { Cost, Usage } from "../chat/types";

const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });
export const formatTokens = (n: number) => compact.format(n);

export function formatAmount(amount: number, currency: string): string {
  // Below a cent, two significant digits ($0.0042); above, cents.
  const small = amount > 0 && amount < 0.01;
  return new Intl.NumberFormat("en", {
    style: "currency",
    currency,
    ...(small ? { maximumSignificantDigits: 2 } : { minimumFractionDigits: 2, maximumFractionDigits: amount < 1 ? 4 : 2 }),
  }).format(amount);
}

export const formatCost = (cost: Cost | undefined) => (!cost || cost.amount === null ? "cost unknown" : formatAmount(cost.amount, cost.currency));

/** One line: "1.2k in · 340 out · 2.1k cached · $0.0042". */
export function usageLine(usage: Usage, cost: Cost | undefined): string {
  const cached = (usage.cacheReadInputTokens ?? 0) + (usage.cacheCreationInputTokens ?? 0);
  const parts = [`${formatTokens(usage.inputTokens + cached)} in`, `${formatTokens(usage.outputTokens)} out`];
  if (usage.cacheReadInputTokens) parts.push(`${formatTokens(usage.cacheReadInputTokens)} cached`);
  parts.push(formatCost(cost));
  return parts.join(" · ");
}

/** The details, for a tooltip. */
export function usageDetails(usage: Usage, cost: Cost | undefined, model: string | undefined): string {
  return [
    model ? `Model: ${model}` : undefined,
    `Input: ${usage.inputTokens.toLocaleString("en")} tokens`,
    `Cache read: ${(usage.cacheReadInputTokens ?? 0).toLocaleString("en")} tokens`,
    `Cache write: ${(usage.cacheCreationInputTokens ?? 0).toLocaleString("en")} tokens`,
    `Output: ${usage.outputTokens.toLocaleString("en")} tokens`,
    `Cost: ${formatCost(cost)}`,
  ]
    .filter(Boolean)
    .join("\n");
}
