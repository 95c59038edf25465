// Token counts of a reply: summed over its model calls (a tool loop's turns,
// each Continue) and kept per model, so its cost can be priced by the model
// that spent each token (docs/API.md "Usage and cost").
import type { Usage } from "../chat/types";

/** Token counts by model id. */
export type UsageByModel = Record<string, Usage>;

export function addUsage(a: Usage | undefined, b: Usage | undefined): Usage | undefined {
  if (!a || !b) return a ?? b;
  const sum = (x?: number, y?: number) => (x === undefined && y === undefined ? undefined : (x ?? 0) + (y ?? 0));
  const out: Usage = { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens };
  const read = sum(a.cacheReadInputTokens, b.cacheReadInputTokens);
  const created = sum(a.cacheCreationInputTokens, b.cacheCreationInputTokens);
  if (read !== undefined) out.cacheReadInputTokens = read;
  if (created !== undefined) out.cacheCreationInputTokens = created;
  return out;
}

export function addByModel(a: UsageByModel, model: string, usage: Usage | undefined): UsageByModel {
  if (!usage) return a;
  return { ...a, [model]: addUsage(a[model], usage)! };
}

/** Every input token of a request: uncached, read from the cache, and written to it. */
export const totalInput = (u: Usage) => u.inputTokens + (u.cacheReadInputTokens ?? 0) + (u.cacheCreationInputTokens ?? 0);

/** A stored metadata value → Usage, or undefined when it is not one (old or foreign rows). */
export function asUsage(v: unknown): Usage | undefined {
  if (!v || typeof v !== "object") return undefined;
  const u = v as Record<string, unknown>;
  const n = (x: unknown) => (typeof x === "number" && Number.isFinite(x) && x >= 0 ? x : undefined);
  const input = n(u.inputTokens);
  const output = n(u.outputTokens);
  if (input === undefined || output === undefined) return undefined;
  const out: Usage = { inputTokens: input, outputTokens: output };
  if (n(u.cacheReadInputTokens) !== undefined) out.cacheReadInputTokens = n(u.cacheReadInputTokens);
  if (n(u.cacheCreationInputTokens) !== undefined) out.cacheCreationInputTokens = n(u.cacheCreationInputTokens);
  return out;
}
