"use client";
// The non-text blocks of a reply: extended thinking and tool calls.
import { useEffect, useRef, useState } from "react";
import type { ThinkingPart, ToolResultPart, ToolUsePart } from "@/lib/chat/types";
import type { ToolProgress } from "@/lib/client/live-reply";
import type { ToolState } from "@/lib/client/reply-blocks";
import { formatToolInput, formatToolResult } from "@/lib/client/partial-json";
import { thinkingSummary, toolSummary } from "@/lib/client/fold-summary";

/** The "›" at the end of a folded line; turns down when open. */
function Chevron({ open }: { open?: boolean }) {
  return (
    <svg
      viewBox="0 0 20 20"
      className={`h-3.5 w-3.5 shrink-0 transition-transform group-open:rotate-90 motion-reduce:transition-none ${open ? "rotate-90" : ""}`}
      fill="currentColor"
      aria-hidden
    >
      <path d="M7.5 4.5l6 5.5-6 5.5-1.2-1.3 4.6-4.2-4.6-4.2z" />
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
 * Open while `running`, folded once done, unless the reader chose: their
 * toggle holds from then on (a section they opened stays open).
 */
function useFold(running: boolean) {
  const [chosen, setChosen] = useState<boolean | null>(null);
  const open = chosen ?? running;
  return { open, set: (next: boolean) => next !== open && setChosen(next) };
}

// One line, folded: a quiet row of text with a hover background.
const LINE =
  "group flex w-fit max-w-full min-w-0 items-center gap-2 rounded-lg px-2 py-1 -mx-2 text-sm text-zinc-600 select-none hover:bg-zinc-100 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-orange-600 dark:text-zinc-400 dark:hover:bg-zinc-800/70 dark:hover:text-zinc-100";
const CARD = "mt-1 overflow-hidden rounded-xl border text-sm";

/**
 * Claude's extended thinking: one line, "Thinking…" open while it streams,
 * then "Thought for 6 s" folded (lib/client/fold-summary.ts). A native
 * <details>, so it works with the keyboard and without script.
 */
export function ThinkingBlock({ part, live }: { part: ThinkingPart; live: boolean }) {
  const fold = useFold(live);
  const body = useStickToBottom<HTMLDivElement>(live && fold.open, part.thinking);
  const summary = thinkingSummary(part, live);
  return (
    <details data-testid="thinking" data-live={live || undefined} open={fold.open} onToggle={(e) => fold.set(e.currentTarget.open)} className="group">
      <summary className={`${LINE} cursor-pointer list-none [&::-webkit-details-marker]:hidden`}>
        <svg viewBox="0 0 20 20" className="h-4 w-4 shrink-0" fill="none" stroke="currentColor" strokeWidth="1.6" aria-hidden>
          <path d="M10 2.5a5.5 5.5 0 00-3.2 10v2h6.4v-2A5.5 5.5 0 0010 2.5zM7.8 17.5h4.4" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        <span data-testid="thinking-summary" className={`truncate font-medium ${live ? "thinking-shimmer" : ""}`}>
          {summary}
        </span>
        <Chevron />
      </summary>
      <div
        ref={body}
        data-testid="thinking-content"
        className={`${CARD} max-h-80 overflow-y-auto border-zinc-200 bg-zinc-50/70 px-3 py-2 leading-6 whitespace-pre-wrap break-words text-zinc-600 dark:border-zinc-800 dark:bg-zinc-900/50 dark:text-zinc-400`}
      >
        {part.thinking}
      </div>
    </details>
  );
}

function StateIcon({ state }: { state: ToolState }) {
  if (state === "running")
    return <span className="tool-spinner inline-block h-3.5 w-3.5 shrink-0 rounded-full border-2 border-current border-r-transparent" aria-hidden />;
  if (state === "done")
    return (
      <svg viewBox="0 0 20 20" className="h-4 w-4 shrink-0" fill="none" stroke="currentColor" strokeWidth="1.6" aria-hidden>
        <path d="M12.5 3.5a4 4 0 00-4.9 5.1l-4.3 4.3a1.4 1.4 0 002 2l4.3-4.3a4 4 0 005.1-4.9l-2.3 2.3-1.9-.3-.3-1.9 2.3-2.3z" strokeLinejoin="round" />
      </svg>
    );
  return (
    <svg viewBox="0 0 16 16" className="h-4 w-4 shrink-0" fill="currentColor" aria-hidden>
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

/**
 * One tool call as one line ("Used calculate → 391 ›", lib/client/fold-summary.ts),
 * a button that opens its card: input (streamed in), live progress, then
 * result or error. Open while it runs, folded once done.
 */
export function ToolCard({ use, result, state, partialInput, progress, missingReason }: ToolCardProps) {
  const typing = partialInput !== undefined;
  const fold = useFold(state === "running");
  const input = formatToolInput(use.input, partialInput);
  const inputRef = useStickToBottom<HTMLPreElement>(typing && fold.open, input);
  const percent = state === "running" && progress?.percent !== undefined ? Math.max(0, Math.min(100, progress.percent)) : undefined;
  const { label, detail } = toolSummary(use, result, state, { typing, progress: progress?.message, missingReason });
  const bodyId = `tool-body-${use.id}`;

  return (
    <section
      data-testid="tool-use"
      data-tool-state={state}
      data-tool-name={use.name}
      data-tool-use-id={use.id}
      aria-label={`Tool call: ${use.name}`}
      aria-busy={state === "running" || undefined}
    >
      <button
        type="button"
        data-testid="tool-summary"
        aria-expanded={fold.open}
        aria-controls={bodyId}
        onClick={() => fold.set(!fold.open)}
        className={`${LINE} ${state === "error" ? "text-red-700 dark:text-red-400" : ""}`}
      >
        <StateIcon state={state} />
        <span className="shrink-0 font-medium">{label}</span>
        {detail && (
          <>
            <span className="shrink-0 text-zinc-500 dark:text-zinc-400">{" → "}</span>
            <span data-testid="tool-status" className={`min-w-0 truncate ${state === "error" ? "" : "font-mono text-[13px] text-zinc-700 dark:text-zinc-300"}`}>
              {detail}
            </span>
          </>
        )}
        <Chevron open={fold.open} />
      </button>
      {state === "running" && !typing && (
        <div
          data-testid="tool-progress"
          role="progressbar"
          aria-label={`${use.name} progress`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
          aria-valuetext={progress?.message}
          className="mt-1 h-0.5 w-full max-w-xs overflow-hidden rounded-full bg-zinc-100 dark:bg-zinc-800"
        >
          <div
            className={`h-full bg-clay-500 ${percent === undefined ? "tool-progress-indeterminate w-1/3" : "transition-[width] duration-300"}`}
            style={percent === undefined ? undefined : { width: `${percent}%` }}
          />
        </div>
      )}
      <div id={bodyId} hidden={!fold.open} className={`${CARD} ${state === "error" ? "border-red-200 dark:border-red-900/70" : "border-zinc-200 dark:border-zinc-800"}`}>
        <div className="px-3 py-2">
          <div className="mb-1 text-[11px] font-medium tracking-wide text-zinc-500 uppercase dark:text-zinc-400">Input</div>
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
            <div
              className={`mb-1 text-[11px] font-medium tracking-wide uppercase ${result.isError ? "text-red-700 dark:text-red-400" : "text-zinc-500 dark:text-zinc-400"}`}
            >
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
      </div>
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
