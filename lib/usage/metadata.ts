// The usage fields of a reply's metadata after a run: this run's tokens added
// to what earlier runs of the same reply spent (Continue, an Inngest retry),
// per model, and the cost of it all at the prices in force.
import type { Cost, MessageMetadata, Usage } from "../chat/types";
import { costOf, type PriceTable } from "./prices";
import { addByModel, addUsage, asUsage, type UsageByModel } from "./tokens";

export type UsageFields = { usage?: Usage; usageByModel?: UsageByModel; cost?: Cost };

/** Tokens by model that a stored metadata records (older rows have only `usage` and `model`). */
export function usageByModelOf(meta: MessageMetadata): UsageByModel {
  const stored = meta.usageByModel;
  if (stored && typeof stored === "object") {
    const out: UsageByModel = {};
    for (const [model, u] of Object.entries(stored as Record<string, unknown>)) {
      const usage = asUsage(u);
      if (usage) out[model] = usage;
    }
    return out;
  }
  const usage = asUsage(meta.usage);
  return usage ? { [meta.model ?? "unknown"]: usage } : {};
}

export function usageAfterRun(prev: MessageMetadata, model: string, run: Usage | undefined, prices: PriceTable | undefined): UsageFields {
  const usage = addUsage(asUsage(prev.usage), run);
  if (!usage) return {};
  const usageByModel = addByModel(usageByModelOf(prev), model, run);
  return { usage, usageByModel, ...(prices ? { cost: costOf(prices, usageByModel) } : {}) };
}
