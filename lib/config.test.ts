import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError, configurationTable, parseConfig, VARIABLES } from "./config";

describe("configuration", () => {
  it("README's table is the one VARIABLES declares (regenerate it with configurationTable())", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const table = /<!-- config:start -->\n([\s\S]*?)\n<!-- config:end -->/.exec(readme)?.[1];
    expect(table, "README.md has no <!-- config:start --> … <!-- config:end --> section").toBeDefined();
    expect(table).toBe(configurationTable());
  });

  it("gives every variable its default when the environment is empty", () => {
    const c = parseConfig({});
    expect(c.provider.kind).toBe("demo");
    expect(c.db).toEqual({ kind: "pglite", dataDir: "./data" });
    expect(c.jobs).toBe("in-process");
    expect(c.reply).toMatchObject({ checkpointMs: 500, idleTimeoutMs: 60_000, staleMs: 90_000, resumeStaleMs: 45_000, maxActivePerUser: 3, maxActive: 100 });
    expect(c.http).toMatchObject({ maxBodyBytes: 262_144, gatewayMaxBodyBytes: 33_554_432, keepAliveMs: 15_000 });
    expect(c.rates).toEqual({
      messages: { points: 30, windowSec: 60 },
      signInPair: { points: 10, windowSec: 900 },
      signInAddress: { points: 50, windowSec: 900 },
      signUp: { points: 10, windowSec: 3600 },
      guests: { points: 20, windowSec: 3600 },
      search: { points: 30, windowSec: 60 },
      share: { points: 300, windowSec: 60 },
    });
    expect(c.purge).toEqual({ emptyGuestTtlMs: 24 * 3_600_000, intervalMs: 600_000 });
  });

  it("treats a blank variable as unset", () => {
    expect(parseConfig({ CHECKPOINT_INTERVAL_MS: "  ", ANTHROPIC_API_KEY: "" })).toMatchObject({ reply: { checkpointMs: 500 }, provider: { kind: "demo" } });
  });

  it("refuses a bad value with a message naming every bad variable, and ignores variables it does not declare", () => {
    let error: unknown;
    try {
      parseConfig({ CHECKPOINT_INTERVAL_MS: "soon", DATABASE_URL: "mysql://x", SESSION_SECRET: "short", UNRELATED: "whatever" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { message, problems } = error as ConfigError;
    expect(problems).toHaveLength(3);
    for (const name of ["CHECKPOINT_INTERVAL_MS", "DATABASE_URL", "SESSION_SECRET"]) expect(message).toContain(name);
    expect(message).not.toContain("UNRELATED");
  });

  it("reads a PostgreSQL schema from DATABASE_URL and Inngest from any of its keys", () => {
    expect(parseConfig({ DATABASE_URL: "postgresql://u@h/db?schema=s1", DATABASE_POOL_SIZE: "4" }).db).toEqual({
      kind: "postgres",
      url: "postgresql://u@h/db?schema=s1",
      schema: "s1",
      poolSize: 4,
    });
    expect(parseConfig({ INNGEST_SIGNING_KEY: "k", INNGEST_SERVE_ORIGIN: "https://chat.example.com" }).jobs).toBe("inngest");
    expect(parseConfig({ INNGEST_DEV: "false" }).jobs).toBe("in-process");
  });

  it("requires INNGEST_SERVE_ORIGIN, an origin, when Inngest runs in production mode", () => {
    const problems = (env: Record<string, string>) => {
      try {
        parseConfig(env);
        return [];
      } catch (e) {
        return (e as ConfigError).problems;
      }
    };
    for (const key of ["INNGEST_SIGNING_KEY", "INNGEST_EVENT_KEY"]) {
      expect(problems({ [key]: "k" })).toEqual([expect.stringMatching(/^INNGEST_SERVE_ORIGIN: required when Inngest runs in production mode/)]);
      expect(problems({ [key]: "k", INNGEST_DEV: "0" })).toHaveLength(1);
    }
    expect(parseConfig({ INNGEST_SIGNING_KEY: "k", INNGEST_SERVE_ORIGIN: "https://chat.example.com:8443/" }).inngest).toEqual({
      dev: false,
      serveOrigin: "https://chat.example.com:8443",
    });
    expect(problems({ INNGEST_SIGNING_KEY: "k", INNGEST_SERVE_ORIGIN: "https://chat.example.com/app" })).toEqual([expect.stringContaining("must be an origin only")]);
    expect(problems({ INNGEST_SIGNING_KEY: "k", INNGEST_SERVE_ORIGIN: "ftp://chat.example.com" })).toEqual([expect.stringContaining("must be an http(s) URL")]);
    expect(problems({ INNGEST_DEV: "1", NODE_ENV: "development" })).toEqual([]); // the dev server needs no origin
  });

  it("refuses Inngest dev mode under NODE_ENV=production unless INNGEST_ALLOW_DEV=1", () => {
    for (const dev of ["1", "true", "http://127.0.0.1:8288"]) {
      for (const nodeEnv of [{}, { NODE_ENV: "production" }]) {
        let error: unknown;
        try {
          parseConfig({ INNGEST_DEV: dev, ...nodeEnv });
        } catch (e) {
          error = e;
        }
        expect(error, dev).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).problems).toHaveLength(1);
        expect((error as ConfigError).message).toMatch(/INNGEST_DEV=.*NODE_ENV=production.*INNGEST_ALLOW_DEV=1/);
      }
      expect(parseConfig({ INNGEST_DEV: dev, INNGEST_ALLOW_DEV: "1" }).inngest.dev).toBe(true);
      expect(parseConfig({ INNGEST_DEV: dev, NODE_ENV: "development" }).jobs).toBe("inngest");
    }
    expect(() => parseConfig({ INNGEST_DEV: "1", INNGEST_ALLOW_DEV: "0" })).toThrow(ConfigError);
    expect(parseConfig({ INNGEST_DEV: "0" }).inngest.dev).toBe(false);
  });

  it("describes every variable in one line", () => {
    for (const [name, [, description]] of Object.entries(VARIABLES)) {
      expect(description, name).toMatch(/\S/);
      expect(description, name).not.toContain("\n");
    }
  });
});
