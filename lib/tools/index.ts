// The tools replies can use, configured from the environment:
//   TOOLS             "off" disables tool use; default: all tools on
//   TOOL_TIMEOUT_MS   per-call timeout (default 15 s; a tool may set a shorter one)
// Tests swap the process-wide registry with setToolRegistry.
import { calculateTool } from "./calculate";
import { currentTimeTool } from "./current-time";
import { DEFAULT_TOOL_TIMEOUT_MS, ToolRegistry } from "./registry";
import { searchConversationsTool } from "./search-conversations";
import type { Tool } from "./types";

export { ToolRegistry, DEFAULT_TOOL_TIMEOUT_MS, type ToolCall } from "./registry";
export { defineTool, ToolError, type Tool, type ToolContext, type ToolOutcome } from "./types";
export { calculateTool, evaluateExpression } from "./calculate";
export { currentTimeTool } from "./current-time";
export { searchConversationsTool, searchConversations } from "./search-conversations";

type Env = Record<string, string | undefined>;

export function builtinTools(): Tool[] {
  return [searchConversationsTool, calculateTool, currentTimeTool()] as Tool[];
}

export function toolRegistryFromEnv(env: Env = process.env): ToolRegistry | undefined {
  if (env.TOOLS?.trim().toLowerCase() === "off") return undefined;
  const timeout = Number(env.TOOL_TIMEOUT_MS);
  return new ToolRegistry(builtinTools(), { timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : DEFAULT_TOOL_TIMEOUT_MS });
}

const g = globalThis as typeof globalThis & { __tetherTools?: { registry: ToolRegistry | undefined } };

/** The process-wide registry (undefined when tools are off). */
export function getToolRegistry(): ToolRegistry | undefined {
  return (g.__tetherTools ??= { registry: toolRegistryFromEnv() }).registry;
}

/** For tests: replace the process-wide registry (null = back to the environment's). */
export function setToolRegistry(registry: ToolRegistry | undefined | null): void {
  g.__tetherTools = registry === null ? undefined : { registry };
}
