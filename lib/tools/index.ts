// The tools replies can use (TOOLS, TOOL_TIMEOUT_MS in lib/config.ts; a tool
// may set a shorter timeout of its own).
import type { Config } from "../config";
import { calculateTool } from "./calculate";
import { currentTimeTool } from "./current-time";
import { ToolRegistry } from "./registry";
import { searchConversationsTool } from "./search-conversations";
import type { Tool } from "./types";

export { ToolRegistry, DEFAULT_TOOL_TIMEOUT_MS, type ToolCall } from "./registry";
export { defineTool, ToolError, type Tool, type ToolContext, type ToolOutcome } from "./types";
export { calculateTool, evaluateExpression } from "./calculate";
export { currentTimeTool } from "./current-time";
export { searchConversationsTool, searchConversations } from "./search-conversations";

export function builtinTools(): Tool[] {
  return [searchConversationsTool, calculateTool, currentTimeTool()] as Tool[];
}

let ownerDataTools: Set<string> | undefined;
/** Whether a tool's results show the owner's other conversations (Tool.ownerDataOnly). */
export function isOwnerDataTool(name: string): boolean {
  ownerDataTools ??= new Set(
    builtinTools()
      .filter((t) => t.ownerDataOnly)
      .map((t) => t.name),
  );
  return ownerDataTools.has(name);
}

/** The configured registry: every built-in tool, or none (undefined) with TOOLS=off. */
export function createToolRegistry(c: Config["tools"]): ToolRegistry | undefined {
  if (!c.enabled) return undefined;
  return new ToolRegistry(builtinTools(), { timeoutMs: c.timeoutMs });
}
