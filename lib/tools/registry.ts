// A set of tools by name: their specs for the model, and `run`, which
// validates a call's input, runs it under a timeout and the reply's signal,
// and turns every failure into an error result the model can read (so the
// tool loop goes on). Only Stop yields no result at all. A result says why a
// call failed only where the reason is safe to show (bad input, timeout, a
// ToolError's own words); an exception's text stays in the log.
import { z } from "zod";
import type { ToolSpec } from "../llm/types";
import { errorFields, log } from "../platform/log";
import { ToolError, type Tool, type ToolContext, type ToolOutcome } from "./types";

export const DEFAULT_TOOL_TIMEOUT_MS = 15_000;
/** Results longer than this are cut: the model's context is not a dump. */
export const MAX_RESULT_CHARS = 20_000;

export type ToolCall = { id: string; name: string; input: unknown };

export class ToolRegistry {
  private readonly tools = new Map<string, Tool>();
  // Converted once: zod → JSON Schema cost about 0.4 ms per reply under load (docs/BENCHMARKS.md, Run N).
  private specList: ToolSpec[] | undefined;
  readonly timeoutMs: number;

  constructor(tools: Tool[], opts: { timeoutMs?: number } = {}) {
    for (const t of tools) {
      if (!/^[a-zA-Z0-9_-]{1,64}$/.test(t.name)) throw new Error(`invalid tool name "${t.name}"`);
      if (this.tools.has(t.name)) throw new Error(`duplicate tool "${t.name}"`);
      this.tools.set(t.name, t);
    }
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
  }

  get names(): string[] {
    return [...this.tools.keys()];
  }

  get(name: string): Tool | undefined {
    return this.tools.get(name);
  }

  /** The tools as the model sees them (input as JSON Schema). */
  specs(): ToolSpec[] {
    this.specList ??= [...this.tools.values()].map((t) => ({ name: t.name, description: t.description, inputSchema: inputSchemaOf(t.input) }));
    return this.specList.map((s) => ({ ...s }));
  }

  async run(call: ToolCall, ctx: ToolContext): Promise<ToolOutcome> {
    if (ctx.signal.aborted) return { status: "aborted" };
    const tool = this.tools.get(call.name);
    if (!tool) return failed(`Unknown tool "${call.name}". Available tools: ${this.names.join(", ")}.`);
    const parsed = tool.input.safeParse(call.input);
    if (!parsed.success) return failed(`Invalid input for ${call.name}: ${z.prettifyError(parsed.error)}`);

    const timeoutMs = tool.timeoutMs ?? this.timeoutMs;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    const signal = AbortSignal.any([ctx.signal, timeout.signal]);
    try {
      // An executor that ignores its signal must still not hold the reply up.
      const output = await untilAborted(tool.execute(parsed.data, { ...ctx, signal }), signal);
      return { status: "done", content: clip(typeof output === "string" ? output : JSON.stringify(output)), isError: false };
    } catch (e) {
      if (ctx.signal.aborted) return { status: "aborted" };
      if (timeout.signal.aborted) return failed(`${call.name} timed out after ${timeoutMs} ms.`);
      if (e instanceof ToolError) return failed(e.message);
      return toolCrashed(call, e);
    } finally {
      clearTimeout(timer);
    }
  }
}

const failed = (content: string): ToolOutcome => ({ status: "done", content: clip(content), isError: true });

/**
 * What the model and the user see when a tool throws: a fixed sentence. An
 * exception's text can hold anything (a connection string, a query, another
 * user's data) and both the SSE stream and the database keep what a result
 * says, so its detail goes to the log only, with the request id the log
 * context carries (docs/SECURITY.md, "Tool errors").
 */
export function toolCrashed(call: Pick<ToolCall, "id" | "name">, e: unknown): ToolOutcome {
  log.error({ component: "tools", tool: call.name, toolUseId: call.id, err: errorFields(e) }, "tool failed");
  return failed(`The ${call.name} tool failed.`);
}

function clip(s: string): string {
  const cps = Array.from(s);
  return cps.length <= MAX_RESULT_CHARS ? s : `${cps.slice(0, MAX_RESULT_CHARS).join("")}… (truncated)`;
}

/** zod → the JSON Schema the Messages API wants: an object schema, no `$schema`. */
export function inputSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  if (rest.type !== "object") throw new Error("a tool's input schema must be an object");
  return rest;
}

function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error("aborted"));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
