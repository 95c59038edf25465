// What a reply cost: a per-model price table (per million tokens, in the
// table's currency) applied to the reply's tokens by model. A model missing
// from the table has an unknown cost, never 0. Defaults: Anthropic's list
// prices (USD, platform.claude.com pricing, checked 2026-12); a deployment
// overrides them with MODEL_PRICES (README, docs/API.md "Usage and cost").
import { readFileSync } from "node:fs";
import { z } from "zod";
import type { Cost } from "../chat/types";
import type { UsageByModel } from "./tokens";

const perMillion = z.number().finite().nonnegative();
export const ModelPriceSchema = z
  .object({
    input: perMillion.describe("uncached input tokens"),
    output: perMillion.describe("output tokens"),
    cacheWrite: perMillion.describe("tokens written to the 5-minute prompt cache"),
    cacheRead: perMillion.describe("tokens read from the prompt cache"),
  })
  .strict();
export const PriceTableSchema = z
  .object({
    currency: z.string().regex(/^[A-Z]{3}$/, "currency must be an ISO 4217 code such as USD"),
    models: z.record(z.string().min(1).max(200), ModelPriceSchema),
  })
  .strict();

export type ModelPrice = z.infer<typeof ModelPriceSchema>;
export type PriceTable = z.infer<typeof PriceTableSchema>;
export type { Cost };

const p = (input: number, output: number, cacheWrite: number, cacheRead: number): ModelPrice => ({ input, output, cacheWrite, cacheRead });
const OPUS_4_5 = p(5, 25, 6.25, 0.5);
const OPUS_4 = p(15, 75, 18.75, 1.5);
const SONNET_4 = p(3, 15, 3.75, 0.3);

export const DEFAULT_PRICES: PriceTable = {
  currency: "USD",
  models: {
    "claude-fable-5-2": p(8, 40, 10, 0.2),
    "claude-mythos-5-2": p(8, 40, 10, 0.2),
    "claude-fable-5-1": p(10, 50, 12.5, 0.25),
    "claude-mythos-5-1": p(10, 50, 12.5, 0.25),
    "claude-fable-5": p(10, 50, 12.5, 1),
    "claude-mythos-5": p(10, 50, 12.5, 1),
    "claude-opus-5-5": p(4, 20, 5, 0.2),
    "claude-opus-5": OPUS_4_5,
    "claude-opus-4-8": OPUS_4_5,
    "claude-opus-4-7": OPUS_4_5,
    "claude-opus-4-6": OPUS_4_5,
    "claude-opus-4-5": OPUS_4_5,
    "claude-opus-4-1": OPUS_4,
    "claude-opus-4-0": OPUS_4,
    "claude-opus-4": OPUS_4,
    "claude-3-opus": OPUS_4,
    "claude-sonnet-5-5": p(2, 10, 2.5, 0.1),
    "claude-sonnet-5": p(2, 10, 2.5, 0.2),
    "claude-sonnet-4-6": SONNET_4,
    "claude-sonnet-4-5": SONNET_4,
    "claude-sonnet-4-0": SONNET_4,
    "claude-sonnet-4": SONNET_4,
    "claude-3-7-sonnet": SONNET_4,
    "claude-3-5-sonnet": SONNET_4,
    // Haiku 5.5: the rate of prompts up to 100k tokens (longer ones cost 5×; not modelled).
    "claude-haiku-5-5": p(0.1, 0.5, 0.125, 0.01),
    "claude-haiku-4-5": p(1, 5, 1.25, 0.1),
    "claude-3-5-haiku": p(0.8, 4, 1, 0.08),
    "claude-3-haiku": p(0.25, 1.25, 0.3, 0.03),
    // The built-in demo model runs locally: it costs nothing.
    "tether-demo-1": p(0, 0, 0, 0),
  },
};

// A dated snapshot (claude-sonnet-4-5-20250929) or the -latest alias of a listed id.
const SNAPSHOT_SUFFIX = /^-(?:\d{8}|latest)$/;

/** The price of a model id: listed exactly, or as a dated snapshot of a listed id; else undefined. */
export function priceOf(table: PriceTable, model: string): ModelPrice | undefined {
  const exact = Object.hasOwn(table.models, model) ? table.models[model] : undefined;
  if (exact) return exact;
  const cut = model.lastIndexOf("-");
  if (cut > 0 && SNAPSHOT_SUFFIX.test(model.slice(cut))) {
    const base = model.slice(0, cut);
    return Object.hasOwn(table.models, base) ? table.models[base] : undefined;
  }
  return undefined;
}

/** Cost of tokens spent by model; null amount when any model with tokens has no price. */
export function costOf(table: PriceTable, byModel: UsageByModel): Cost {
  let amount = 0;
  for (const [model, u] of Object.entries(byModel)) {
    const price = priceOf(table, model);
    const spent = u.inputTokens + u.outputTokens + (u.cacheReadInputTokens ?? 0) + (u.cacheCreationInputTokens ?? 0);
    if (!price) {
      if (spent > 0) return { amount: null, currency: table.currency };
      continue;
    }
    amount +=
      (u.inputTokens * price.input +
        u.outputTokens * price.output +
        (u.cacheCreationInputTokens ?? 0) * price.cacheWrite +
        (u.cacheReadInputTokens ?? 0) * price.cacheRead) /
      1_000_000;
  }
  return { amount: roundAmount(amount), currency: table.currency };
}

/** Amounts are kept to 1e-9 of a currency unit: exact enough to sum, free of float noise. */
export const roundAmount = (x: number) => Math.round(x * 1e9) / 1e9;

/**
 * MODEL_PRICES → the table in use. The value is JSON (starting with `{`) or
 * the path of a JSON file. A table in USD adds to and overrides the defaults
 * model by model; one in another currency replaces them (the defaults are
 * USD). Throws an Error whose message says what is wrong.
 */
export function loadPriceTable(value: string | undefined): PriceTable {
  if (value === undefined) return DEFAULT_PRICES;
  let text = value;
  if (!value.startsWith("{")) {
    try {
      text = readFileSync(value, "utf8");
    } catch (e) {
      throw new Error(`cannot read the price file ${JSON.stringify(value)} (${(e as NodeJS.ErrnoException).code ?? "error"})`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error("not valid JSON");
  }
  const r = PriceTableSchema.safeParse(json);
  if (!r.success) throw new Error(r.error.issues.map((i) => `${i.path.join(".") || "table"}: ${i.message}`).join("; "));
  return r.data.currency === DEFAULT_PRICES.currency ? { currency: r.data.currency, models: { ...DEFAULT_PRICES.models, ...r.data.models } } : r.data;
}
