import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../config";
import { AnthropicProvider, createProvider, DEFAULT_ANTHROPIC_MODEL, DemoProvider } from "./index";

const key = () => `sk-ant-test-${randomUUID()}`;
/** The provider the app builds from this environment. */
const providerFor = (env: Record<string, string>) => createProvider(parseConfig(env).provider);

describe("the provider of a configuration (docs/PROTOCOL.md §2)", () => {
  it("uses the demo model without a key", () => {
    const p = providerFor({});
    expect(p).toBeInstanceOf(DemoProvider);
    expect(p.name).toBe("demo");
    expect(p.model).toBe("tether-demo-1");
    expect(providerFor({ ANTHROPIC_API_KEY: "   " }).name).toBe("demo"); // blank = unset
  });

  it("uses Claude when ANTHROPIC_API_KEY is set, with ANTHROPIC_MODEL or the default Sonnet", () => {
    const p = providerFor({ ANTHROPIC_API_KEY: key() });
    expect(p).toBeInstanceOf(AnthropicProvider);
    expect(p.model).toBe(DEFAULT_ANTHROPIC_MODEL);
    expect(DEFAULT_ANTHROPIC_MODEL).toMatch(/^claude-sonnet-/);
    expect(providerFor({ ANTHROPIC_API_KEY: key(), ANTHROPIC_MODEL: "claude-opus-5" }).model).toBe("claude-opus-5");
  });

  it("lets LLM_PROVIDER override the choice either way, and refuses anything else by name", () => {
    expect(providerFor({ ANTHROPIC_API_KEY: key(), LLM_PROVIDER: "demo" }).name).toBe("demo");
    expect(providerFor({ LLM_PROVIDER: "anthropic" }).name).toBe("anthropic");
    expect(providerFor({ LLM_PROVIDER: " Demo " }).name).toBe("demo");
    expect(providerFor({ LLM_PROVIDER: "", ANTHROPIC_API_KEY: key() }).name).toBe("anthropic");
    expect(() => providerFor({ LLM_PROVIDER: "openai" })).toThrow(/LLM_PROVIDER.*anthropic.*demo/s);
  });

  it("an anthropic provider without a key says so instead of calling out", async () => {
    const p = providerFor({ LLM_PROVIDER: "anthropic", ANTHROPIC_MODEL: `m-${randomUUID()}` });
    const evs = [];
    for await (const ev of p.stream({ turns: [], signal: new AbortController().signal })) evs.push(ev);
    expect(evs).toEqual([{ type: "error", code: "upstream_auth", message: expect.stringContaining("ANTHROPIC_API_KEY") }]);
  });

  it("passes the demo pace through", () => {
    expect(providerFor({ DEMO_TOKEN_DELAY_MS: "0" })).toBeInstanceOf(DemoProvider);
    expect(() => providerFor({ DEMO_TOKEN_DELAY_MS: "fast" })).toThrow(/DEMO_TOKEN_DELAY_MS/);
  });
});
