// The model catalog with the real SDK against the fake upstream's Models API
// (lib/testing/fake-anthropic-models.ts), and a model chosen per request.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { startFakeAnthropic, FAKE_MODELS, type FakeAnthropic } from "../testing/fake-anthropic";
import { AnthropicProvider } from "./anthropic";
import { DemoProvider } from "./demo";
import { ModelCatalog } from "./models";
import type { ProviderEvent } from "./types";

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

const claude = (model = "claude-sonnet-5-5") => new AnthropicProvider({ apiKey: "k", baseURL: fake.url, model });
const ids = async (c: ModelCatalog) => (await c.list()).models.map((m) => m.id);

describe("model catalog", () => {
  it("reads every page of the Models API through the SDK, newest first", async () => {
    const many = Array.from({ length: 150 }, (_, i) => ({ id: `claude-test-${String(150 - i).padStart(3, "0")}`, display_name: `Test ${150 - i}` }));
    fake.setModels({ models: many });
    const list = await new ModelCatalog({ provider: claude("claude-test-150"), ttlMs: 60_000 }).list();
    expect(list.models.map((m) => m.id)).toEqual(many.map((m) => m.id));
    expect(list.models[0]).toEqual({ id: "claude-test-150", displayName: "Test 150", createdAt: "1970-01-01T00:00:00Z" });
    expect(list.source).toBe("api");
    expect(fake.modelRequests).toBe(2); // pages of 100
  });

  it("narrows to the allow-list, and always offers the default", async () => {
    const c = new ModelCatalog({ provider: claude("claude-sonnet-5-5"), allowList: ["claude-haiku-4-5", "claude-unknown"], ttlMs: 60_000 });
    expect(await ids(c)).toEqual(["claude-sonnet-5-5", "claude-haiku-4-5"]);
    const d = new ModelCatalog({ provider: claude("claude-custom-deployment"), ttlMs: 60_000 });
    expect(await ids(d)).toEqual(["claude-custom-deployment", ...FAKE_MODELS.map((m) => m.id)]);
    expect((await d.list()).models[0]).toEqual({ id: "claude-custom-deployment", displayName: "claude-custom-deployment", createdAt: null });
  });

  it("fetches once per TTL, concurrent callers sharing one request", async () => {
    let now = 1_000;
    const c = new ModelCatalog({ provider: claude(), ttlMs: 10_000, now: () => now });
    await Promise.all([c.list(), c.list(), c.has("claude-opus-5-5")]);
    expect(fake.modelRequests).toBe(1);
    now += 9_999;
    await c.list();
    expect(fake.modelRequests).toBe(1);
    now += 1;
    fake.setModels({ models: [{ id: "claude-sonnet-5-5" }] });
    expect(await ids(c)).toEqual(["claude-sonnet-5-5"]);
    expect(fake.modelRequests).toBe(2);
  });

  it("offers the default and the allow-list while the Models API fails, and tries again after failureTtlMs", async () => {
    let now = 0;
    fake.setModels({ status: 529 });
    const provider = new AnthropicProvider({ apiKey: "k", baseURL: fake.url, model: "claude-sonnet-5-5", maxRetries: 0 });
    const c = new ModelCatalog({ provider, allowList: ["claude-haiku-4-5", "claude-sonnet-5-5"], ttlMs: 60_000, failureTtlMs: 5_000, now: () => now });
    const list = await c.list();
    expect(list).toMatchObject({ source: "configured", defaultModel: "claude-sonnet-5-5" });
    expect(list.models.map((m) => m.id)).toEqual(["claude-sonnet-5-5", "claude-haiku-4-5"]);
    fake.setModels({ models: FAKE_MODELS });
    await c.list();
    expect(fake.modelRequests).toBe(1);
    now = 5_000;
    expect((await c.list()).source).toBe("api");
    // Without a key there is nothing to ask: the configured list, no request.
    const keyless = new ModelCatalog({ provider: new AnthropicProvider({ baseURL: fake.url, model: "claude-sonnet-5-5" }), ttlMs: 1 });
    expect(await ids(keyless)).toEqual(["claude-sonnet-5-5"]);
    expect(fake.modelRequests).toBe(2);
  });

  it("offers the demo model only in demo mode", async () => {
    const c = new ModelCatalog({ provider: new DemoProvider(), allowList: ["claude-haiku-4-5"], ttlMs: 1 });
    expect(await c.list()).toEqual({
      models: [{ id: "tether-demo-1", displayName: "Tether demo", createdAt: expect.any(String) }],
      defaultModel: "tether-demo-1",
      source: "configured",
    });
  });

  it("requires a listed model (400 unknown_model), and chooses the first candidate still listed", async () => {
    const c = new ModelCatalog({ provider: claude(), allowList: ["claude-haiku-4-5"], ttlMs: 60_000 });
    await expect(c.require("claude-haiku-4-5")).resolves.toBe("claude-haiku-4-5");
    const refused = await c.require("claude-opus-5-5").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: "unknown_model", status: 400 });
    expect(await c.choose([null, "claude-opus-5-5", "claude-haiku-4-5"])).toBe("claude-haiku-4-5");
    expect(await c.choose(["claude-gone"])).toBe("claude-sonnet-5-5");
    const before = fake.modelRequests;
    expect(await new ModelCatalog({ provider: claude(), ttlMs: 1 }).choose([undefined, null])).toBe("claude-sonnet-5-5");
    expect(fake.modelRequests).toBe(before); // no choice made: no need to ask
  });
});

describe("a model per request", () => {
  const ask = async (p: AnthropicProvider, model?: string) => {
    const evs: ProviderEvent[] = [];
    for await (const ev of p.stream({ turns: [{ role: "user", parts: [{ type: "text", text: "hi" }] }], model, signal: new AbortController().signal })) evs.push(ev);
    return evs;
  };

  it("replaces the default model, and thinking and prefill follow the chosen model", async () => {
    const p = claude("claude-haiku-4-5");
    await ask(p);
    await ask(p, "claude-opus-5-5");
    expect(fake.requests.map((r) => r.body.model)).toEqual(["claude-haiku-4-5", "claude-opus-5-5"]);
    expect(fake.requests[0].body.thinking).toBeUndefined(); // auto: Haiku 4.5 takes budget thinking only, so none
    expect(fake.requests[1].body.thinking).toEqual({ type: "adaptive", display: "summarized" });
    expect(p.prefillFor("claude-haiku-4-5")).toBe(true);
    expect(p.prefillFor("claude-opus-5-5")).toBe(false);
    expect(p.supportsPrefill).toBe(true);
  });
});
