import { beforeEach, describe, expect, it } from "vitest";
import type { ModelCatalog } from "./api";
import { currentModelCatalog, loadModelCatalog, modelName, resetModelCatalog, subscribeModelCatalog } from "./model-catalog";

const catalog: ModelCatalog = {
  models: [{ id: "claude-opus-5-5", displayName: "Claude Opus 5.5", createdAt: null }],
  defaultModel: "claude-opus-5-5",
  provider: "anthropic",
};

describe("the tab's model catalog", () => {
  beforeEach(resetModelCatalog);

  it("is fetched once, shared, and announced to subscribers", async () => {
    let fetches = 0;
    const fetchList = async () => (fetches++, catalog);
    let told = 0;
    const unsubscribe = subscribeModelCatalog(() => told++);
    expect(currentModelCatalog()).toBeNull();
    const [a, b] = await Promise.all([loadModelCatalog(fetchList), loadModelCatalog(fetchList)]);
    expect(a).toBe(b);
    expect(fetches).toBe(1);
    expect(told).toBe(1);
    expect(currentModelCatalog()).toBe(catalog);
    unsubscribe();
  });

  it("asks again after a failed fetch", async () => {
    await expect(loadModelCatalog(() => Promise.reject(new Error("offline")))).rejects.toThrow("offline");
    expect(await loadModelCatalog(async () => catalog)).toBe(catalog);
  });

  it("names a model by its display name when listed, else by its id", () => {
    expect(modelName(catalog, "claude-opus-5-5")).toBe("Claude Opus 5.5");
    expect(modelName(catalog, "claude-old-1")).toBe("claude-old-1");
    expect(modelName(null, "claude-opus-5-5")).toBe("claude-opus-5-5");
  });
});
