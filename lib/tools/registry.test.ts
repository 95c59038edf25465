import { describe, expect, it } from "vitest";
import { z } from "zod";
import { currentTimeTool, describeTime, isTimeZone } from "./current-time";
import { builtinTools, createToolRegistry } from "./index";
import { parseConfig } from "../config";

const toolRegistryFromEnv = (env: Record<string, string>) => createToolRegistry(parseConfig(env).tools);
import { MAX_RESULT_CHARS, ToolRegistry } from "./registry";
import { defineTool, ToolError, type ToolContext } from "./types";

const ctx = (signal = new AbortController().signal, progress: ToolContext["progress"] = () => {}): ToolContext => ({
  userId: "00000000-0000-0000-0000-000000000001",
  db: undefined as never,
  signal,
  progress,
});

const echo = defineTool({
  name: "echo",
  description: "Echoes",
  input: z.object({ text: z.string(), times: z.number().int().min(1).max(3).optional() }),
  async execute({ text, times }) {
    return text.repeat(times ?? 1);
  },
});

describe("ToolRegistry", () => {
  it("describes every tool with a JSON Schema object input, no $schema", () => {
    const specs = new ToolRegistry(builtinTools()).specs();
    expect(specs.map((s) => s.name)).toEqual(["search_conversations", "calculate", "current_time"]);
    for (const s of specs) {
      expect(s.description.length).toBeGreaterThan(20);
      expect(s.inputSchema.type).toBe("object");
      expect(s.inputSchema).not.toHaveProperty("$schema");
    }
    expect(specs[1].inputSchema).toMatchObject({ properties: { expression: { type: "string" } }, required: ["expression"] });
    expect(specs[2].inputSchema).not.toHaveProperty("required"); // timezone is optional
  });

  it("converts the schemas once, and gives every reply specs of its own to change", () => {
    const registry = new ToolRegistry(builtinTools());
    const first = registry.specs();
    (first[0] as { cache_control?: unknown }).cache_control = { type: "ephemeral" };
    const second = registry.specs();
    expect(second[0]).not.toHaveProperty("cache_control");
    expect(second[1].inputSchema).toBe(first[1].inputSchema);
  });

  it("rejects bad registrations", () => {
    expect(() => new ToolRegistry([echo, echo])).toThrow(/duplicate/);
    expect(() => new ToolRegistry([{ ...echo, name: "has space" }])).toThrow(/invalid tool name/);
  });

  it("runs a call, and turns unknown tools, bad input, thrown errors and timeouts into error results", async () => {
    const boom = defineTool({
      name: "boom",
      description: "fails",
      input: z.object({}),
      execute: async () => {
        throw new Error("disk on fire");
      },
    });
    const polite = defineTool({
      name: "polite",
      description: "fails",
      input: z.object({}),
      execute: async () => {
        throw new ToolError("No such city.");
      },
    });
    const hang = defineTool({ name: "hang", description: "never ends", input: z.object({}), timeoutMs: 30, execute: () => new Promise(() => {}) });
    const r = new ToolRegistry([echo, boom, polite, hang]);
    expect(await r.run({ id: "1", name: "echo", input: { text: "hé ", times: 2 } }, ctx())).toEqual({ status: "done", content: "hé hé ", isError: false });
    expect(await r.run({ id: "2", name: "nope", input: {} }, ctx())).toMatchObject({ isError: true, content: expect.stringContaining('Unknown tool "nope"') });
    expect(await r.run({ id: "3", name: "echo", input: { text: 5 } }, ctx())).toMatchObject({
      isError: true,
      content: expect.stringMatching(/Invalid input for echo.*expected string/s),
    });
    expect(await r.run({ id: "4", name: "boom", input: {} }, ctx())).toEqual({ status: "done", isError: true, content: "The boom tool failed." });
    expect(await r.run({ id: "5", name: "polite", input: {} }, ctx())).toEqual({ status: "done", isError: true, content: "No such city." });
    expect(await r.run({ id: "6", name: "hang", input: {} }, ctx())).toEqual({ status: "done", isError: true, content: "hang timed out after 30 ms." });
  });

  it("gives up at once when the reply is stopped, even if the tool ignores its signal", async () => {
    let sawAbort = false;
    const slow = defineTool({
      name: "slow",
      description: "slow",
      input: z.object({}),
      execute: (_i, c) => new Promise(() => c.signal.addEventListener("abort", () => (sawAbort = true))),
    });
    const ac = new AbortController();
    const run = new ToolRegistry([slow]).run({ id: "1", name: "slow", input: {} }, ctx(ac.signal));
    ac.abort();
    expect(await run).toEqual({ status: "aborted" });
    expect(sawAbort).toBe(true);
    expect(await new ToolRegistry([slow]).run({ id: "2", name: "slow", input: {} }, ctx(ac.signal))).toEqual({ status: "aborted" });
  });

  it("serializes object results as JSON and truncates huge ones", async () => {
    const big = defineTool({ name: "big", description: "big", input: z.object({}), execute: async () => "é".repeat(MAX_RESULT_CHARS + 10) });
    const obj = defineTool({ name: "obj", description: "obj", input: z.object({}), execute: async () => ({ a: [1, "二"] }) });
    const r = new ToolRegistry([big, obj]);
    const out = await r.run({ id: "1", name: "big", input: {} }, ctx());
    expect(out.status === "done" && Array.from(out.content).length).toBe(MAX_RESULT_CHARS + "… (truncated)".length);
    expect(await r.run({ id: "2", name: "obj", input: {} }, ctx())).toMatchObject({ content: '{"a":[1,"二"]}' });
  });

  it("is configured from the environment", () => {
    expect(toolRegistryFromEnv({ TOOLS: "off" })).toBeUndefined();
    expect(toolRegistryFromEnv({ TOOL_TIMEOUT_MS: "2500" })?.timeoutMs).toBe(2500);
    expect(toolRegistryFromEnv({})?.timeoutMs).toBe(15_000);
  });
});

describe("current_time", () => {
  const at = new Date("2026-07-14T22:30:05.123Z");

  it("describes an instant in UTC and in IANA zones, DST and half-hour offsets included", () => {
    expect(describeTime(at, "UTC")).toEqual({
      timeZone: "UTC",
      date: "2026-07-14",
      time: "22:30:05",
      weekday: "Tuesday",
      utcOffset: "+00:00",
      iso: "2026-07-14T22:30:05.123Z",
    });
    expect(describeTime(at, "Asia/Kolkata")).toMatchObject({ date: "2026-07-15", time: "04:00:05", weekday: "Wednesday", utcOffset: "+05:30" });
    expect(describeTime(at, "America/New_York")).toMatchObject({ time: "18:30:05", utcOffset: "-04:00" });
    expect(describeTime(new Date("2026-01-14T22:30:05Z"), "America/New_York")).toMatchObject({ utcOffset: "-05:00" });
  });

  it("validates zones with Intl and defaults to UTC", async () => {
    expect(isTimeZone("Europe/Paris")).toBe(true);
    expect(isTimeZone("Mars/Olympus_Mons")).toBe(false);
    expect(() => describeTime(at, "Mars/Olympus_Mons")).toThrow(/Unknown time zone "Mars\/Olympus_Mons"/);
    const tool = currentTimeTool(() => at);
    expect(await tool.execute({}, ctx())).toMatchObject({ timeZone: "UTC", time: "22:30:05" });
    const r = new ToolRegistry([tool]);
    expect(await r.run({ id: "1", name: "current_time", input: { timezone: "Nowhere/Special" } }, ctx())).toMatchObject({
      status: "done",
      isError: true,
      content: expect.stringContaining("Unknown time zone"),
    });
  });
});
