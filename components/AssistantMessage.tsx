import { memo } from "react";
import type { Message } from "@/lib/types";
import { isGenerating } from "@/lib/client/api";
import type { Connection, ReplyDelivery } from "@/lib/client/live-replies";
import { ReplyText } from "./ReplyText";
import { replyBlocks, ThinkingBlock, ToolResultCard, ToolUseCard } from "./ReplyParts";

type Props = {
  message: Message;
  /** "whole": the user turned streaming off, so a generating reply shows "working…". */
  delivery: ReplyDelivery;
  connection?: Connection;
  stopping?: boolean;
  /** Offered on an interrupted or failed reply. */
  onContinue?: (message: Message) => void;
};

/**
 * A reply as it stands: rendered from the message alone, so the server's
 * HTML (a reload mid-stream) and each streamed frame look the same. (Stop
 * sits by the composer: a button under growing text never holds still.)
 */
export const AssistantMessage = memo(function AssistantMessage({ message, delivery, connection, stopping, onContinue }: Props) {
  const generating = isGenerating(message.status);
  const blocks = replyBlocks(message.parts);
  if (!blocks.some((b) => b.kind === "text") && message.content) blocks.push({ kind: "text", text: message.content, key: "content" });
  const lastText = blocks.findLastIndex((b) => b.kind === "text");
  const cursor = generating && delivery === "stream";
  const working = generating && (message.status === "pending" || delivery === "whole");
  const lastIndex = blocks.length - 1;

  return (
    <div
      data-testid="message"
      data-role="assistant"
      data-status={message.status}
      data-message-id={message.id}
      aria-busy={generating || undefined}
      className="flex flex-col gap-3"
    >
      <h2 className="sr-only">Claude said:</h2>
      {blocks.map((b, i) => {
        if (b.kind === "text")
          return (
            <div key={b.key} data-testid="message-content">
              <ReplyText text={b.text} cursor={cursor && i === lastText} />
            </div>
          );
        const live = generating && i === lastIndex;
        switch (b.part.type) {
          case "thinking":
            return <ThinkingBlock key={b.key} part={b.part} live={live} />;
          case "redacted_thinking":
            return (
              <p key={b.key} className="text-sm text-zinc-500 italic">
                Some of Claude&apos;s reasoning was redacted for safety.
              </p>
            );
          case "tool_use":
            return <ToolUseCard key={b.key} part={b.part} live={live} />;
          case "tool_result":
            return <ToolResultCard key={b.key} part={b.part} />;
          default:
            return null;
        }
      })}
      {lastText === -1 && (
        // Always present, so tests and assistive tech find the reply's text slot.
        <div data-testid="message-content">{cursor && <ReplyText text="" cursor />}</div>
      )}

      {(working || connection === "reconnecting" || stopping || message.status === "interrupted" || message.status === "failed") && (
        <div className="flex flex-wrap items-center gap-3 text-sm">
          {working && (
            <span data-testid="working-indicator" role="status" className="inline-flex items-center gap-1.5 text-zinc-500 dark:text-zinc-400">
              <span className="inline-flex gap-0.5" aria-hidden>
                <span className="working-dot h-1.5 w-1.5 rounded-full bg-current" />
                <span className="working-dot h-1.5 w-1.5 rounded-full bg-current [animation-delay:150ms]" />
                <span className="working-dot h-1.5 w-1.5 rounded-full bg-current [animation-delay:300ms]" />
              </span>
              working…
            </span>
          )}
          {connection === "reconnecting" && generating && (
            <span data-testid="reconnecting" role="status" className="rounded-full bg-amber-100 px-2 py-0.5 text-xs text-amber-800 dark:bg-amber-950 dark:text-amber-300">
              Reconnecting…
            </span>
          )}
          {stopping && generating && <span className="text-xs text-zinc-500">Stopping…</span>}
          {message.status === "interrupted" && (
            <span data-testid="status-badge" className="rounded-full bg-zinc-100 px-2 py-0.5 text-xs font-medium text-zinc-600 dark:bg-zinc-800 dark:text-zinc-400">
              Stopped
            </span>
          )}
          {onContinue && (message.status === "interrupted" || message.status === "failed") && (
            <button
              type="button"
              data-testid="continue-button"
              onClick={() => onContinue(message)}
              className="inline-flex items-center gap-1 rounded-full border border-zinc-300 px-3 py-0.5 text-xs font-medium text-zinc-700 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-orange-600 dark:border-zinc-700 dark:text-zinc-300 dark:hover:bg-zinc-800"
            >
              Continue
              <span aria-hidden>→</span>
            </button>
          )}
          {message.status === "failed" && (
            <>
              <span data-testid="status-badge" className="rounded-full bg-red-100 px-2 py-0.5 text-xs font-medium text-red-700 dark:bg-red-950 dark:text-red-300">
                Failed
              </span>
              <span data-testid="message-error" role="alert" className="text-red-700 dark:text-red-300">
                {message.error?.message ?? "The reply could not be completed."}
              </span>
            </>
          )}
        </div>
      )}
    </div>
  );
});
