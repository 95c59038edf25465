// Server-side tools the model can call during a reply. A tool declares its
// input as a zod schema (validated before it runs, and sent to the model as
// JSON Schema) and an executor that reports progress and honours `signal`.
import type { z } from "zod";
import type { Db } from "../platform/db";
import type { RequestRateLimiter } from "../platform/rate-limit";

export type ToolContext = {
  /** Owner of the conversation being answered: a tool only ever sees this user's data. */
  userId: string;
  db: Db;
  /** Aborts on Stop and on the tool's timeout. */
  signal: AbortSignal;
  /** Live progress for the UI (`tool_progress` events); percent is 0–100. */
  progress(message: string, percent?: number): void;
  /** Messages of the exchange being answered (the question and the reply), e.g. so a search does not find them. */
  currentMessageIds?: string[];
  /** SEARCH_RATE_LIMIT (shared with GET /api/search); none: searches are not counted. */
  searchLimiter?: RequestRateLimiter;
};

export type ToolOutput = string | Record<string, unknown> | unknown[];

export type Tool<S extends z.ZodType = z.ZodType> = {
  name: string;
  /** What the model reads to decide when and how to call it. */
  description: string;
  input: S;
  /** Overrides the registry's timeout for this tool. */
  timeoutMs?: number;
  /** Its results show the owner's other conversations: a shared link's viewers never see them (docs/PROTOCOL.md §3.7). */
  ownerDataOnly?: boolean;
  execute(input: z.output<S>, ctx: ToolContext): Promise<ToolOutput>;
};

/** Keeps the executor's input type tied to its schema. */
export function defineTool<S extends z.ZodType>(tool: Tool<S>): Tool<S> {
  return tool;
}

/** A failure whose message is meant for the model as it is (no "failed:" wrapping). */
export class ToolError extends Error {}

/** What a tool call produced: a result for the model, or nothing because the reply was stopped. */
export type ToolOutcome = { status: "done"; content: string; isError: boolean } | { status: "aborted" };
