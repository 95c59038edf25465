import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AnthropicProvider, DEFAULT_ANTHROPIC_MODEL, DemoProvider, getProvider, providerKind } from "./index";

// A unique key per test keeps the per-config cache from leaking between tests.
const key = () => `sk-ant-test-${randomUUID()}`;

describe("getProvider (SPEC §2)", () => {
  it("uses the demo model without a key", () => {
    const p = getProvider({});
    expect(p).toBeInstanceOf(DemoProvider);
    expect(p.name).toBe("demo");
    expect(p.model).toBe("tether-demo-1");
    expect(getProvider({ ANTHROPIC_API_KEY: "   " }).name).toBe("demo"); // blank = unset
  });

  it("uses Claude when ANTHROPIC_API_KEY is set, with ANTHROPIC_MODEL or the default Sonnet", () => {
    const p = getProvider({ ANTHROPIC_API_KEY: key() });
    expect(p).toBeInstanceOf(AnthropicProvider);
    expect(p.model).toBe(DEFAULT_ANTHROPIC_MODEL);
    expect(DEFAULT_ANTHROPIC_MODEL).toMatch(/^claude-sonnet-/);
    expect(getProvider({ ANTHROPIC_API_KEY: key(), ANTHROPIC_MODEL: "claude-opus-5" }).model).toBe("claude-opus-5");
  });

  it("lets LLM_PROVIDER override the choice either way", () => {
    expect(getProvider({ ANTHROPIC_API_KEY: key(), LLM_PROVIDER: "demo" }).name).toBe("demo");
    expect(getProvider({ LLM_PROVIDER: "anthropic" }).name).toBe("anthropic");
    expect(getProvider({ LLM_PROVIDER: " Demo " }).name).toBe("demo");
    expect(providerKind({ LLM_PROVIDER: "", ANTHROPIC_API_KEY: key() })).toBe("anthropic");
    expect(() => getProvider({ LLM_PROVIDER: "openai" })).toThrow(/anthropic.*demo/);
  });

  it("an anthropic provider without a key says so instead of calling out", async () => {
    const p = getProvider({ LLM_PROVIDER: "anthropic", ANTHROPIC_MODEL: `m-${randomUUID()}` });
    const evs = [];
    for await (const ev of p.stream({ turns: [], signal: new AbortController().signal })) evs.push(ev);
    expect(evs).toEqual([{ type: "error", code: "upstream_auth", message: expect.stringContaining("ANTHROPIC_API_KEY") }]);
  });

  it("caches one provider per configuration", () => {
    const k = key();
    const a = getProvider({ ANTHROPIC_API_KEY: k });
    expect(getProvider({ ANTHROPIC_API_KEY: k, UNRELATED: "x" })).toBe(a);
    expect(getProvider({ ANTHROPIC_API_KEY: k, ANTHROPIC_MODEL: "claude-haiku-4-5" })).not.toBe(a);
    expect(getProvider({ ANTHROPIC_API_KEY: key() })).not.toBe(a);
    expect(getProvider({ DEMO_TOKEN_DELAY_MS: "0" })).toBe(getProvider({ DEMO_TOKEN_DELAY_MS: "0" }));
    expect(getProvider({ DEMO_TOKEN_DELAY_MS: "0" })).not.toBe(getProvider({ DEMO_TOKEN_DELAY_MS: "7" }));
  });

  it("reads process.env by default", () => {
    const saved = { ...process.env };
    try {
      process.env.LLM_PROVIDER = "demo";
      expect(getProvider().name).toBe("demo");
      process.env.LLM_PROVIDER = "anthropic";
      expect(getProvider().name).toBe("anthropic");
    } finally {
      process.env.LLM_PROVIDER = saved.LLM_PROVIDER;
      if (saved.LLM_PROVIDER === undefined) delete process.env.LLM_PROVIDER;
    }
  });
});
