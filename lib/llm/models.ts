// Which models a user may choose (docs/API.md, GET /api/models): what the key
// can use according to the Models API, cached for a while, narrowed to the
// deployment's allow-list (ANTHROPIC_MODELS) when it has one. The default
// (ANTHROPIC_MODEL) is always listed: every reply without a choice uses it.
// When the Models API cannot be reached the list is the default and the
// allow-list as configured: choosing a model never depends on it being up.
import { AppError } from "../errors";
import { childLog, errorFields } from "../platform/log";
import type { LlmProvider, ModelInfo } from "./types";

export type ModelList = {
  models: ModelInfo[];
  defaultModel: string;
  /** `api`: from the Models API; `configured`: the default and allow-list only (demo model, or the API failed). */
  source: "api" | "configured";
};

export type ModelCatalogOptions = {
  provider: Pick<LlmProvider, "name" | "model" | "listModels">;
  /** ANTHROPIC_MODELS: the only models offered (with the default); none: all the key can use. */
  allowList?: string[];
  /** How long a fetched list is used before it is fetched again. */
  ttlMs: number;
  /** How long a failed fetch is answered from the configuration before trying again. Default 60 s. */
  failureTtlMs?: number;
  now?: () => number;
};

const mlog = childLog({ component: "models" });

export class ModelCatalog {
  readonly defaultModel: string;
  private readonly allowList: string[] | undefined;
  private cached?: { until: number; list: ModelList };
  private inflight?: Promise<ModelList>;
  private readonly now: () => number;

  constructor(private readonly opts: ModelCatalogOptions) {
    this.defaultModel = opts.provider.model;
    // The demo answers as one model only, whatever the deployment allows for Claude.
    this.allowList = opts.provider.name === "demo" || !opts.allowList?.length ? undefined : opts.allowList;
    this.now = opts.now ?? Date.now;
  }

  /** The models to offer, the default first when the API does not list it. */
  async list(): Promise<ModelList> {
    if (this.cached && this.now() < this.cached.until) return this.cached.list;
    // Concurrent callers share one request to the Models API.
    this.inflight ??= this.fetch().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  async has(id: string): Promise<boolean> {
    return (await this.list()).models.some((m) => m.id === id);
  }

  /** `id` when it may be chosen; else 400 `unknown_model`. */
  async require(id: string): Promise<string> {
    if (await this.has(id)) return id;
    throw new AppError("unknown_model", `model "${id}" is not available; GET /api/models lists those that are`);
  }

  /** The first candidate that may still be chosen (a model can leave the list), else the default. */
  async choose(candidates: (string | null | undefined)[]): Promise<string> {
    const wanted = candidates.filter((c): c is string => !!c);
    if (wanted.length === 0) return this.defaultModel;
    const { models } = await this.list();
    return wanted.find((id) => models.some((m) => m.id === id)) ?? this.defaultModel;
  }

  private async fetch(): Promise<ModelList> {
    const at = this.now();
    try {
      const available = await this.opts.provider.listModels();
      const allowed = this.allowList ? available.filter((m) => this.allowList!.includes(m.id)) : available;
      const models = allowed.some((m) => m.id === this.defaultModel) ? allowed : [unlisted(this.defaultModel), ...allowed];
      const list: ModelList = { models, defaultModel: this.defaultModel, source: this.opts.provider.name === "demo" ? "configured" : "api" };
      this.cached = { until: at + this.opts.ttlMs, list };
      return list;
    } catch (e) {
      mlog.warn({ err: errorFields(e) }, "Models API failed: offering the configured models");
      const ids = [...new Set([this.defaultModel, ...(this.allowList ?? [])])];
      const list: ModelList = { models: ids.map(unlisted), defaultModel: this.defaultModel, source: "configured" };
      this.cached = { until: at + (this.opts.failureTtlMs ?? 60_000), list };
      return list;
    }
  }
}

/** A model known by its id only (configured, not confirmed by the Models API). */
function unlisted(id: string): ModelInfo {
  return { id, displayName: id, createdAt: null };
}
