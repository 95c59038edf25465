"use client";
// An assistant reply, while it streams and once it is saved. One component
// for both, at one key (the message id), so when the saved copy takes over
// from the live reply React keeps every rendered block: the hand-over costs
// nothing, however long the reply. A live reply subscribes to its frames on
// its own, so a frame re-renders it and nothing else.
import { memo, useMemo, useSyncExternalStore, type ReactNode } from "react";
import type { Message, MessageVersions } from "@/lib/chat/types";
import { NO_EXTRAS, type Connection, type LiveExtras, type LiveReply, type LiveReplyState } from "@/lib/client/live-reply";
import { replyBlocks } from "@/lib/client/reply-blocks";
import { interruptionCause, isContinuable, isGenerating, type InterruptionCause } from "@/lib/reply/status";
import { MessageActions } from "./MessageActions";
import { ReplyText } from "./ReplyText";
import { ThinkingBlock, ToolCard, ToolResultCard } from "./ReplyParts";
import { VersionPager } from "./VersionPager";

/** What a saved reply's action bar needs (one object shared by all replies). */
export type ReplyActions = {
  locked: boolean;
  onSelect: (id: string) => void;
  onRegenerate: (message: Message) => void;
};

type Props = {
  /** The saved message (ignored while `reply` is set). */
  message?: Message;
  reply?: LiveReply;
  state?: LiveReplyState;
  /** The user's setting (a live reply keeps the one it was asked with). */
  streaming: boolean;
  onContinue?: (message: Message) => void;
  /** A saved reply's action bar. */
  actions?: ReplyActions;
  /** The latest reply: Regenerate offered, the bar always shown. */
  latest?: boolean;
  /** A live reply's versions until the server's arrive (a regenerated reply: "2/2" at once). */
  versionsHint?: MessageVersions;
};

const noSubscription = () => () => {};
const noExtras = () => NO_EXTRAS;

export const StreamingMessage = memo(function StreamingMessage({ message: saved, reply, state, streaming, onContinue, actions, latest, versionsHint }: Props) {
  const getSaved = () => saved!;
  const message = useSyncExternalStore(reply?.subscribeFrame ?? noSubscription, reply?.getMessage ?? getSaved, reply?.getMessage ?? getSaved);
  const extras = useSyncExternalStore(reply?.subscribeFrame ?? noSubscription, reply?.getExtras ?? noExtras, reply?.getExtras ?? noExtras);
  // Live: only the pager, inert (the path cannot change while it generates);
  // the full bar comes with the saved copy.
  const liveVersions = reply ? (message.versions ?? versionsHint) : undefined;
  const footer =
    !reply && actions ? (
      <MessageActions message={message} locked={actions.locked} onSelect={actions.onSelect} onRegenerate={latest ? actions.onRegenerate : undefined} pinned={latest} />
    ) : liveVersions && liveVersions.count > 1 ? (
      <div className="-ml-1.5 flex">
        <VersionPager versions={liveVersions} disabled kind="reply" />
      </div>
    ) : undefined;
  const retry = useMemo(() => (!reply && latest && actions ? { onRetry: actions.onRegenerate, disabled: actions.locked } : undefined), [reply, latest, actions]);
  return (
    <ReplyBody
      message={message}
      streaming={reply?.streaming ?? streaming}
      connection={state?.connection}
      stopping={state?.stopping}
      onContinue={reply ? undefined : onContinue}
      retry={retry}
      extras={extras}
      footer={footer}
    />
  );
});

/** The badge of an interrupted reply, by who cut it short (docs/PROTOCOL.md §5.5): the user, a restart the server resumes from, or a crash. */
const INTERRUPTED_LABEL: Record<InterruptionCause, string> = { user: "Stopped", restart: "Interrupted by a restart", other: "Interrupted" };

const statusAction =
  "inline-flex items-center gap-1 rounded-full border border-zinc-300 px-3 py-0.5 text-xs font-medium text-zinc-700 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-orange-600 disabled:cursor-not-allowed disabled:opacity-50 dark:border-zinc-700 dark:text-zinc-300 dark:hover:bg-zinc-800";

type BodyProps = {
  message: Message;
  /** The user's setting: off, a generating reply shows "working…" until it appears whole. */
  streaming: boolean;
  connection?: Connection;
  stopping?: boolean;
  /** Offered on an interrupted or failed reply. */
  onContinue?: (message: Message) => void;
  /** Offered on a failed latest reply: a new version of it (Regenerate). */
  retry?: { onRetry: (message: Message) => void; disabled: boolean };
  /** A followed reply's tool input still being written, and tool progress. */
  extras?: LiveExtras;
  /** Under the reply: its action bar, or the version pager of a reply being regenerated. */
  footer?: ReactNode;
};

/**
 * A reply as it stands: rendered from the message alone, so the server's
 * HTML (a reload mid-stream) and each streamed frame look the same. (Stop
 * sits by the composer: a button under growing text never holds still.)
 * Memoized on its own: a change of the live reply's state that leaves what
 * it shows as it was (ids confirmed) re-renders nothing here.
 */
const ReplyBody = memo(function ReplyBody({ message, streaming, connection, stopping, onContinue, retry, extras = NO_EXTRAS, footer }: BodyProps) {
  const generating = isGenerating(message.status);
  const streamed = generating && streaming;
  const blocks = replyBlocks(message, generating);
  const tail = blocks.at(-1);
  const hasText = blocks.some((b) => b.kind === "text");
  // The caret shows where the next words will land; a live thinking section
  // or a running tool shows its own activity instead.
  const tailBusy = (tail?.kind === "thinking" && tail.live) || (tail?.kind === "tool" && tail.state === "running");
  const trailingCursor = streamed && !tailBusy && tail?.kind !== "text";
  const resuming = message.status === "resuming";
  const working = generating && !resuming && (message.status === "pending" || !streaming);
  const missingReason =
    message.status === "interrupted" ? "Stopped before the tool returned." : message.status === "failed" ? "The reply failed before the tool returned." : undefined;

  return (
    <div
      data-testid="message"
      data-role="assistant"
      data-status={message.status}
      data-message-id={message.id}
      aria-busy={generating || undefined}
      className="group/msg flex min-w-0 scroll-mt-4 flex-col gap-3"
    >
      <h2 className="sr-only">Claude said:</h2>
      {blocks.map((b) => {
        switch (b.kind) {
          case "text":
            return <ReplyText key={b.key} text={b.text} live={streamed && b.live} cursor={streamed && b.live} />;
          case "thinking":
            return <ThinkingBlock key={b.key} part={b.part} live={streamed && b.live} />;
          case "redacted_thinking":
            return (
              <p key={b.key} className="text-sm text-zinc-500 italic">
                Some of Claude&apos;s reasoning was redacted for safety.
              </p>
            );
          case "tool":
            return (
              <ToolCard
                key={b.key}
                use={b.use}
                result={b.result}
                state={b.state}
                partialInput={b.state === "running" ? extras.toolInput[b.index] : undefined}
                progress={extras.toolProgress[b.use.id]}
                missingReason={missingReason}
              />
            );
          case "tool_result":
            return <ToolResultCard key={b.key} part={b.part} />;
        }
      })}
      {!hasText && (
        // Always present, so tests and assistive tech find the reply's text slot.
        <div data-testid="message-content" data-text="" />
      )}
      {trailingCursor && (
        <div className="leading-7">
          <span className="reply-cursor" aria-hidden data-testid="reply-cursor" />
        </div>
      )}

      {(working || resuming || connection === "reconnecting" || stopping || isContinuable(message.status)) && (
        <div className="flex flex-wrap items-center gap-3 text-sm">
          {resuming && (
            // The server continues this reply by itself after a crash or a restart (docs/PROTOCOL.md §5.5).
            <span
              data-testid="resuming"
              role="status"
              className="inline-flex items-center gap-1.5 rounded-full bg-sky-100 px-2 py-0.5 text-xs font-medium text-sky-800 dark:bg-sky-950 dark:text-sky-300"
            >
              <span className="working-dot h-1.5 w-1.5 rounded-full bg-current" aria-hidden />
              Resuming after a restart…
            </span>
          )}
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
          {/* What happened first (badge, reason), then what one can do about it. */}
          {message.status === "interrupted" && (
            <span data-testid="status-badge" className="rounded-full bg-zinc-100 px-2 py-0.5 text-xs font-medium text-zinc-600 dark:bg-zinc-800 dark:text-zinc-400">
              {INTERRUPTED_LABEL[interruptionCause(message.metadata?.stopReason)]}
            </span>
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
          {retry && message.status === "failed" && (
            <button type="button" data-testid="retry-button" disabled={retry.disabled} onClick={() => retry.onRetry(message)} className={statusAction}>
              <svg viewBox="0 0 20 20" className="h-3.5 w-3.5" fill="none" stroke="currentColor" strokeWidth="1.8" aria-hidden>
                <path d="M16 10a6 6 0 11-1.76-4.24M16 3.5v3.25h-3.25" strokeLinecap="round" strokeLinejoin="round" />
              </svg>
              Retry
            </button>
          )}
          {onContinue && isContinuable(message.status) && (
            <button type="button" data-testid="continue-button" onClick={() => onContinue(message)} className={statusAction}>
              Continue
              <span aria-hidden>→</span>
            </button>
          )}
        </div>
      )}
      {footer}
    </div>
  );
});
