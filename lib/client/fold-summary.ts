// The one-line summaries a folded thinking section and a folded tool call
// show ("Thought for 6 s", "Used calculate → 391"). Pure, so unit-tested.
import type { ThinkingPart, ToolResultPart, ToolUsePart } from "../chat/types";
import type { ToolState } from "./reply-blocks";

/** Longest result summary, in code points (the line also truncates with CSS). */
export const MAX_SUMMARY_CHARS = 80;

/** "6 s", "1 min 5 s": a duration rounded to whole seconds, at least 1 s. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
}

/**
 * The thinking section's line: "Thinking…" while it streams; "Thought for 6 s"
 * when the part says how long it took (`durationMs`, docs/PROTOCOL.md §1);
 * otherwise "Thought process" (older replies, or thinking cut off), never a
 * made-up number.
 */
export function thinkingSummary(part: ThinkingPart, live: boolean): string {
  if (live) return "Thinking…";
  const ms = part.durationMs;
  return typeof ms === "number" && Number.isFinite(ms) && ms >= 0 ? `Thought for ${formatDuration(ms)}` : "Thought process";
}

/** `text` on one line (whitespace runs made one space), cut to `max` code points with "…". */
export function oneLine(text: string, max = MAX_SUMMARY_CHARS): string {
  // split/join rather than a regex replace: linear on any input.
  const flat = text.split(/\s+/).filter(Boolean).join(" ");
  const cps = Array.from(flat);
  return cps.length <= max ? flat : `${cps.slice(0, max - 1).join("")}…`;
}

const isPrimitive = (v: unknown): v is string | number | boolean => ["string", "number", "boolean"].includes(typeof v);

/**
 * What a tool's result says, in a few words: the `result` of a calculation,
 * the time of a clock, how many matches a search found; otherwise the first
 * plain values of a JSON object, or the text itself.
 */
export function resultSummary(content: string): string {
  let data: unknown;
  try {
    data = JSON.parse(content);
  } catch {
    return oneLine(content);
  }
  if (isPrimitive(data)) return oneLine(String(data));
  if (Array.isArray(data)) return `${data.length} item${data.length === 1 ? "" : "s"}`;
  if (!data || typeof data !== "object") return oneLine(content);
  const o = data as Record<string, unknown>;
  if (isPrimitive(o.result)) return oneLine(String(o.result));
  if (typeof o.time === "string") return oneLine([o.time, o.timeZone].filter(isPrimitive).join(" "));
  const list = Object.values(o).find(Array.isArray);
  if (list) return `${list.length} match${list.length === 1 ? "" : "es"}`;
  return oneLine(Object.values(o).filter(isPrimitive).slice(0, 3).join(" · "));
}

/** The first plain value of a tool's input ("2^10 + 24"), for the line of a call still running. */
export function inputSummary(input: unknown): string {
  if (isPrimitive(input)) return oneLine(String(input));
  if (!input || typeof input !== "object") return "";
  const first = Object.values(input as Record<string, unknown>).find(isPrimitive);
  return first === undefined ? "" : oneLine(String(first));
}

export type ToolSummary = { label: string; detail: string };

type Live = { typing?: boolean; progress?: string };

/**
 * A tool call's line: "Used calculate" → "391"; "Using calculate" → its
 * progress or input while it runs; "calculate failed" → why.
 */
export function toolSummary(
  use: Pick<ToolUsePart, "name" | "input">,
  result: ToolResultPart | undefined,
  state: ToolState,
  { typing, progress, missingReason }: Live & { missingReason?: string } = {},
): ToolSummary {
  if (state === "running") {
    const detail = typing ? "Writing input…" : progress ? oneLine(progress) : inputSummary(use.input) || "Running…";
    return { label: `Using ${use.name}`, detail };
  }
  if (state === "error") return { label: `${use.name} failed`, detail: oneLine(result?.content ?? missingReason ?? "No result") };
  return { label: `Used ${use.name}`, detail: result ? resultSummary(result.content) : "" };
}
