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
    expect(c.reply).toMatchObject({ checkpointMs: 500, idleTimeoutMs: 60_000, staleMs: 90_000, resumeStaleMs: 45_000, maxActivePerUser: 3 });
    expect(c.http).toMatchObject({ maxBodyBytes: 262_144, keepAliveMs: 15_000 });
    expect(c.rates).toEqual({ messages: { points: 30, windowSec: 60 }, signIn: { points: 10, windowSec: 900 }, search: { points: 30, windowSec: 60 } });
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
    expect(parseConfig({ INNGEST_SIGNING_KEY: "k" }).jobs).toBe("inngest");
    expect(parseConfig({ INNGEST_DEV: "false" }).jobs).toBe("in-process");
  });

  it("describes every variable in one line", () => {
    for (const [name, [, description]] of Object.entries(VARIABLES)) {
      expect(description, name).toMatch(/\S/);
      expect(description, name).not.toContain("\n");
    }
  });
});
