"use client";
// The non-text blocks of a reply: extended thinking and tool calls.
import { useEffect, useRef, useState } from "react";
import type { ThinkingPart, ToolResultPart, ToolUsePart } from "@/lib/chat/types";
import type { ToolProgress } from "@/lib/client/live-reply";
import type { ToolState } from "@/lib/client/reply-blocks";
import { formatToolInput, formatToolResult } from "@/lib/client/partial-json";

function Chevron() {
  return (
    <svg viewBox="0 0 20 20" className="h-3.5 w-3.5 shrink-0 transition-transform group-open:rotate-90 motion-reduce:transition-none" fill="currentColor" aria-hidden>
      <path d="M7 5l6 5-6 5V5z" />
    </svg>
  );
}

/** Keeps a scroller at its bottom while its content grows, unless `active` is off. */
function useStickToBottom<T extends HTMLElement>(active: boolean, content: unknown) {
  const ref = useRef<T>(null);
  useEffect(() => {
    const el = ref.current;
    if (active && el) el.scrollTop = el.scrollHeight;
  }, [active, content]);
  return ref;
}

/**
 * Claude's extended thinking: open while it streams, folded away once the
 * answer starts (the reader can open it again). A native <details>, so it
 * works with the keyboard and without script.
 */
export function ThinkingBlock({ part, live }: { part: ThinkingPart; live: boolean }) {
  const [open, setOpen] = useState(live);
  const [wasLive, setWasLive] = useState(live);
  if (wasLive !== live) {
    // Streaming started or ended: follow it (a reader's own toggle holds until then).
    setWasLive(live);
    setOpen(live);
  }
  const body = useStickToBottom<HTMLDivElement>(live && open, part.thinking);
  return (
    <details
      data-testid="thinking"
      data-live={live || undefined}
      open={open}
      onToggle={(e) => setOpen(e.currentTarget.open)}
      className="group rounded-xl border border-zinc-200 bg-zinc-50/70 text-sm dark:border-zinc-800 dark:bg-zinc-900/50"
    >
      <summary className="flex items-center gap-2 rounded-xl px-3 py-2 text-zinc-600 select-none hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100 [&::-webkit-details-marker]:hidden">
        <Chevron />
        {live ? <span className="thinking-shimmer font-medium">Thinking…</span> : <span className="font-medium">Thought process</span>}
      </summary>
      <div
        ref={body}
        data-testid="thinking-content"
        className="max-h-80 overflow-y-auto border-t border-zinc-200 px-3 py-2 leading-6 whitespace-pre-wrap break-words text-zinc-600 dark:border-zinc-800 dark:text-zinc-400"
      >
        {part.thinking}
      </div>
    </details>
  );
}

const STATE_LABEL: Record<ToolState, string> = { running: "Running…", done: "Done", error: "Error" };

function StateIcon({ state }: { state: ToolState }) {
  if (state === "running") return <span className="tool-spinner inline-block h-3.5 w-3.5 rounded-full border-2 border-current border-r-transparent" aria-hidden />;
  if (state === "done")
    return (
      <svg viewBox="0 0 16 16" className="h-3.5 w-3.5" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden>
        <path d="M3 8.5l3 3 7-7" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
    );
  return (
    <svg viewBox="0 0 16 16" className="h-3.5 w-3.5" fill="currentColor" aria-hidden>
      <path d="M8 1a7 7 0 100 14A7 7 0 008 1zm-.75 3.5h1.5v5h-1.5v-5zm0 6.25h1.5v1.5h-1.5v-1.5z" />
    </svg>
  );
}

type ToolCardProps = {
  use: ToolUsePart;
  result?: ToolResultPart;
  state: ToolState;
  /** The input's JSON text received so far, while the model is still writing it. */
  partialInput?: string;
  progress?: ToolProgress;
  /** Why a finished reply has no result for this call. */
  missingReason?: string;
};

/** One tool call: its name, input (streamed in), live progress, then result or error. */
export function ToolCard({ use, result, state, partialInput, progress, missingReason }: ToolCardProps) {
  const input = formatToolInput(use.input, partialInput);
  const typing = partialInput !== undefined;
  const inputRef = useStickToBottom<HTMLPreElement>(typing, input);
  const percent = state === "running" && progress?.percent !== undefined ? Math.max(0, Math.min(100, progress.percent)) : undefined;
  const statusText = state === "running" ? (typing ? "Writing input…" : (progress?.message ?? STATE_LABEL.running)) : STATE_LABEL[state];

  return (
    <section
      data-testid="tool-use"
      data-tool-state={state}
      data-tool-name={use.name}
      data-tool-use-id={use.id}
      aria-label={`Tool call: ${use.name}`}
      aria-busy={state === "running" || undefined}
      className={`overflow-hidden rounded-xl border text-sm ${state === "error" ? "border-red-200 dark:border-red-900/70" : "border-zinc-200 dark:border-zinc-800"}`}
    >
      <header className="flex min-w-0 items-center gap-2 bg-zinc-50/70 px-3 py-2 dark:bg-zinc-900/50">
        <svg viewBox="0 0 20 20" className="h-4 w-4 shrink-0 text-zinc-500" fill="none" stroke="currentColor" strokeWidth="1.6" aria-hidden>
          <path d="M12.5 3.5a4 4 0 00-4.9 5.1l-4.3 4.3a1.4 1.4 0 002 2l4.3-4.3a4 4 0 005.1-4.9l-2.3 2.3-1.9-.3-.3-1.9 2.3-2.3z" strokeLinejoin="round" />
        </svg>
        <span className="truncate font-mono text-[13px] font-medium text-zinc-800 dark:text-zinc-200">{use.name}</span>
        <span
          data-testid="tool-status"
          className={`ml-auto flex shrink-0 items-center gap-1.5 text-xs ${
            state === "error" ? "text-red-700 dark:text-red-400" : state === "done" ? "text-emerald-700 dark:text-emerald-400" : "text-zinc-500 dark:text-zinc-400"
          }`}
        >
          <StateIcon state={state} />
          <span className="max-w-[16rem] truncate">{statusText}</span>
        </span>
      </header>
      {state === "running" && !typing && (
        <div
          data-testid="tool-progress"
          role="progressbar"
          aria-label={`${use.name} progress`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
          aria-valuetext={progress?.message}
          className="h-0.5 w-full overflow-hidden bg-zinc-100 dark:bg-zinc-800"
        >
          <div
            className={`h-full bg-clay-500 ${percent === undefined ? "tool-progress-indeterminate w-1/3" : "transition-[width] duration-300"}`}
            style={percent === undefined ? undefined : { width: `${percent}%` }}
          />
        </div>
      )}
      <div className="border-t border-zinc-200 px-3 py-2 dark:border-zinc-800">
        <div className="mb-1 text-[11px] font-medium tracking-wide text-zinc-500 uppercase">Input</div>
        <pre
          ref={inputRef}
          data-testid="tool-input"
          className="max-h-40 overflow-auto font-mono text-xs leading-5 whitespace-pre-wrap break-words text-zinc-700 dark:text-zinc-300"
        >
          {input || (typing ? "…" : "{}")}
        </pre>
      </div>
      {result ? (
        <div
          data-testid="tool-result"
          data-error={result.isError || undefined}
          className={`border-t px-3 py-2 ${
            result.isError ? "border-red-200 bg-red-50/70 dark:border-red-900/70 dark:bg-red-950/30" : "border-zinc-200 dark:border-zinc-800"
          }`}
        >
          <div className={`mb-1 text-[11px] font-medium tracking-wide uppercase ${result.isError ? "text-red-700 dark:text-red-400" : "text-zinc-500"}`}>
            {result.isError ? "Error" : "Result"}
          </div>
          <pre
            className={`max-h-48 overflow-auto font-mono text-xs leading-5 whitespace-pre-wrap break-words ${result.isError ? "text-red-800 dark:text-red-300" : "text-zinc-700 dark:text-zinc-300"}`}
          >
            {formatToolResult(result.content)}
          </pre>
        </div>
      ) : (
        state === "error" && (
          <div data-testid="tool-result-missing" className="border-t border-red-200 px-3 py-2 text-xs text-red-700 dark:border-red-900/70 dark:text-red-400">
            {missingReason ?? "The tool did not return a result."}
          </div>
        )
      )}
    </section>
  );
}

/** A tool result whose call is not in the reply (should not happen; shown rather than lost). */
export function ToolResultCard({ part }: { part: ToolResultPart }) {
  return (
    <div
      data-testid="tool-result"
      data-error={part.isError || undefined}
      className={`rounded-xl border px-3 py-2 text-sm ${
        part.isError ? "border-red-200 bg-red-50 text-red-800 dark:border-red-900 dark:bg-red-950/40 dark:text-red-300" : "border-zinc-200 dark:border-zinc-800"
      }`}
    >
      <div className="mb-1 text-[11px] font-medium tracking-wide text-zinc-500 uppercase">{part.isError ? "Tool error" : "Tool result"}</div>
      <pre className="max-h-48 overflow-auto font-mono text-xs whitespace-pre-wrap break-words">{formatToolResult(part.content)}</pre>
    </div>
  );
}
