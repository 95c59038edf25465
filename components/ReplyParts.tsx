// The non-text blocks of a reply: extended thinking, tool calls and results.
import type { Part, ThinkingPart, ToolResultPart, ToolUsePart } from "@/lib/types";

export function ThinkingBlock({ part, live }: { part: ThinkingPart; live: boolean }) {
  return (
    <details data-testid="thinking" className="group rounded-lg border border-zinc-200 bg-zinc-50 text-sm dark:border-zinc-800 dark:bg-zinc-900/60">
      <summary className="flex items-center gap-2 rounded-lg px-3 py-2 text-zinc-600 select-none dark:text-zinc-400">
        <svg viewBox="0 0 20 20" className="h-3.5 w-3.5 transition-transform group-open:rotate-90" fill="currentColor" aria-hidden>
          <path d="M7 5l6 5-6 5V5z" />
        </svg>
        {live ? "Thinking…" : "Thinking"}
      </summary>
      <div className="border-t border-zinc-200 px-3 py-2 whitespace-pre-wrap break-words text-zinc-600 dark:border-zinc-800 dark:text-zinc-400">
        {part.thinking}
      </div>
    </details>
  );
}

function formatInput(input: unknown): string {
  try {
    return JSON.stringify(input, null, 2) ?? "";
  } catch {
    return String(input);
  }
}

export function ToolUseCard({ part, live }: { part: ToolUsePart; live: boolean }) {
  const empty = part.input === undefined || (typeof part.input === "object" && part.input !== null && Object.keys(part.input).length === 0);
  return (
    <div data-testid="tool-use" data-tool-name={part.name} className="rounded-lg border border-zinc-200 text-sm dark:border-zinc-800">
      <div className="flex items-center gap-2 border-b border-zinc-200 px-3 py-1.5 dark:border-zinc-800">
        <span className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300">tool</span>
        <span className="font-mono font-medium">{part.name}</span>
        {live && <span className="ml-auto text-xs text-zinc-500">running…</span>}
      </div>
      <pre className="max-h-64 overflow-auto px-3 py-2 font-mono text-xs whitespace-pre-wrap break-words text-zinc-700 dark:text-zinc-300">
        {empty && live ? "…" : formatInput(part.input)}
      </pre>
    </div>
  );
}

export function ToolResultCard({ part }: { part: ToolResultPart }) {
  return (
    <div
      data-testid="tool-result"
      className={`rounded-lg border px-3 py-2 text-sm ${
        part.isError ? "border-red-300 bg-red-50 text-red-800 dark:border-red-900 dark:bg-red-950/40 dark:text-red-300" : "border-zinc-200 dark:border-zinc-800"
      }`}
    >
      <div className="mb-1 text-xs font-medium text-zinc-500">{part.isError ? "Tool error" : "Tool result"}</div>
      <pre className="max-h-64 overflow-auto font-mono text-xs whitespace-pre-wrap break-words">{part.content}</pre>
    </div>
  );
}

export type ReplyBlock = { kind: "text"; text: string; key: string } | { kind: "part"; part: Part; index: number; key: string };

/** Groups consecutive text parts into one block, keeping the reply's order. */
export function replyBlocks(parts: Part[]): ReplyBlock[] {
  const blocks: ReplyBlock[] = [];
  parts.forEach((part, index) => {
    if (!part) return;
    const last = blocks.at(-1);
    if (part.type === "text") {
      if (last?.kind === "text") last.text += part.text;
      else blocks.push({ kind: "text", text: part.text, key: `t${index}` });
    } else {
      blocks.push({ kind: "part", part, index, key: `p${index}` });
    }
  });
  return blocks;
}
