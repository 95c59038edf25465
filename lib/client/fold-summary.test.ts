import { describe, expect, it } from "vitest";
import { formatDuration, inputSummary, oneLine, resultSummary, thinkingSummary, toolSummary } from "./fold-summary";
import type { ToolResultPart } from "../chat/types";

const result = (content: string, isError = false): ToolResultPart => ({ type: "tool_result", toolUseId: "t1", content, isError });
const calc = { name: "calculate", input: { expression: "17 * 23" } };

describe("thinking line", () => {
  it("says Thinking… while live, the duration once done, and no number when none was saved", () => {
    expect(thinkingSummary({ type: "thinking", thinking: "hmm", durationMs: 6_200 }, true)).toBe("Thinking…");
    expect(thinkingSummary({ type: "thinking", thinking: "hmm", durationMs: 6_200 }, false)).toBe("Thought for 6 s");
    expect(thinkingSummary({ type: "thinking", thinking: "hmm", durationMs: 0 }, false)).toBe("Thought for 1 s");
    expect(thinkingSummary({ type: "thinking", thinking: "hmm" }, false)).toBe("Thought process");
    expect(thinkingSummary({ type: "thinking", thinking: "hmm", durationMs: Number.NaN }, false)).toBe("Thought process");
  });

  it("formats durations in seconds, then minutes", () => {
    expect([400, 1_499, 1_500, 59_400, 60_000, 65_000, 125_000].map(formatDuration)).toEqual(["1 s", "1 s", "2 s", "59 s", "1 min", "1 min 5 s", "2 min 5 s"]);
  });
});

describe("tool line", () => {
  it("summarizes a finished call by its result", () => {
    expect(toolSummary(calc, result('{"expression":"17 * 23","result":"391"}'), "done")).toEqual({ label: "Used calculate", detail: "391" });
    const clock = result('{"timeZone":"Asia/Tokyo","date":"2026-12-06","time":"07:01:02","weekday":"Sunday"}');
    expect(toolSummary({ name: "current_time", input: {} }, clock, "done").detail).toBe("07:01:02 Asia/Tokyo");
    const search = result('{"query":"tides","matches":[{"snippet":"a"},{"snippet":"b"}]}');
    expect(toolSummary({ name: "search_conversations", input: { query: "tides" } }, search, "done").detail).toBe("2 matches");
  });

  it("says what a running call is doing, and why a failed one failed", () => {
    expect(toolSummary(calc, undefined, "running", { typing: true })).toEqual({ label: "Using calculate", detail: "Writing input…" });
    expect(toolSummary(calc, undefined, "running")).toEqual({ label: "Using calculate", detail: "17 * 23" });
    expect(toolSummary(calc, undefined, "running", { progress: "Searching…" }).detail).toBe("Searching…");
    expect(toolSummary({ name: "x", input: {} }, undefined, "running").detail).toBe("Running…");
    expect(toolSummary(calc, result("Division by zero", true), "error")).toEqual({ label: "calculate failed", detail: "Division by zero" });
    expect(toolSummary(calc, undefined, "error", { missingReason: "Stopped." }).detail).toBe("Stopped.");
  });

  it("reads any result: plain text, JSON values, lists, objects", () => {
    expect(resultSummary("line one\n\n  line two")).toBe("line one line two");
    expect(resultSummary("42")).toBe("42");
    expect(resultSummary("[1,2,3]")).toBe("3 items");
    expect(resultSummary('{"a":"x","b":2,"c":{"d":1},"e":true,"f":"no"}')).toBe("x · 2 · true");
    expect(resultSummary("null")).toBe("null");
    expect(inputSummary({ nested: {}, query: "tides" })).toBe("tides");
    expect(inputSummary(undefined)).toBe("");
  });

  it("cuts long summaries to one short line, by code point", () => {
    const long = oneLine("🙂".repeat(200));
    expect(Array.from(long)).toHaveLength(80);
    expect(long.endsWith("…")).toBe(true);
    // Linear on a long run of whitespace.
    expect(oneLine(`a${" ".repeat(100_000)}b`)).toBe("a b");
  });
});
