import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../config";
import { DEFAULT_PRICES, costOf, loadPriceTable, priceOf } from "./prices";

describe("price table", () => {
  it("finds a listed model, its dated snapshots and -latest, and nothing else", () => {
    expect(priceOf(DEFAULT_PRICES, "claude-sonnet-4-5")).toEqual({ input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 });
    expect(priceOf(DEFAULT_PRICES, "claude-sonnet-4-5-20250929")).toBe(DEFAULT_PRICES.models["claude-sonnet-4-5"]);
    expect(priceOf(DEFAULT_PRICES, "claude-3-7-sonnet-latest")).toBe(DEFAULT_PRICES.models["claude-3-7-sonnet"]);
    // A newer minor version is not its predecessor: its price is unknown until listed.
    expect(priceOf(DEFAULT_PRICES, "claude-opus-4-9")).toBeUndefined();
    expect(priceOf(DEFAULT_PRICES, "claude-sonnet-5-5-fast")).toBeUndefined();
    expect(priceOf(DEFAULT_PRICES, "constructor")).toBeUndefined();
  });

  it("prices each kind of token; an unknown model with tokens makes the cost unknown; one with none does not", () => {
    const u = { inputTokens: 1_000_000, outputTokens: 100_000, cacheReadInputTokens: 2_000_000, cacheCreationInputTokens: 400_000 };
    expect(costOf(DEFAULT_PRICES, { "claude-sonnet-5-5": u })).toEqual({ amount: 2 + 1 + 0.2 + 1, currency: "USD" });
    expect(costOf(DEFAULT_PRICES, { "claude-sonnet-5-5": u, mystery: { inputTokens: 1, outputTokens: 0 } }).amount).toBeNull();
    expect(costOf(DEFAULT_PRICES, { mystery: { inputTokens: 0, outputTokens: 0 } })).toEqual({ amount: 0, currency: "USD" });
    expect(costOf(DEFAULT_PRICES, { "tether-demo-1": u })).toEqual({ amount: 0, currency: "USD" });
  });

  it("MODEL_PRICES: JSON or a file; USD adds to the defaults, another currency replaces them; bad tables stop the start", () => {
    const eur = { currency: "EUR", models: { "claude-sonnet-5-5": { input: 1.8, output: 9, cacheWrite: 2.25, cacheRead: 0.09 } } };
    expect(loadPriceTable(JSON.stringify(eur))).toEqual(eur);
    const dir = mkdtempSync(join(tmpdir(), "prices-"));
    const file = join(dir, "prices.json");
    writeFileSync(file, JSON.stringify({ currency: "USD", models: { "my-model": { input: 1, output: 2, cacheWrite: 1.25, cacheRead: 0.1 } } }));
    const merged = parseConfig({ MODEL_PRICES: file }).prices;
    expect(merged.models["my-model"]).toEqual({ input: 1, output: 2, cacheWrite: 1.25, cacheRead: 0.1 });
    expect(merged.models["claude-sonnet-5-5"]).toEqual(DEFAULT_PRICES.models["claude-sonnet-5-5"]);
    expect(parseConfig({}).prices).toBe(DEFAULT_PRICES);
    expect(() => parseConfig({ MODEL_PRICES: '{"currency":"USD","models":{"m":{"input":-1,"output":1,"cacheWrite":1,"cacheRead":1}}}' })).toThrow(
      /MODEL_PRICES.*models\.m\.input/,
    );
    expect(() => parseConfig({ MODEL_PRICES: '{"currency":"dollars","models":{}}' })).toThrow(/ISO 4217/);
    expect(() => parseConfig({ MODEL_PRICES: "{not json" })).toThrow(/MODEL_PRICES.*not valid JSON/);
    expect(() => parseConfig({ MODEL_PRICES: join(dir, "missing.json") })).toThrow(/cannot read the price file/);
  });
});
