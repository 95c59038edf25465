"use client";
// A sidebar row's live status (before its title, clear of the ⋯ menu), from the tab's event stream: a spinner while
// a reply generates in the chat, a dot once one finished while the chat was
// not open here (unread), a warning sign instead when that reply was
// interrupted or failed. Text for screen readers; nothing when idle.
import { useTabEvents } from "./useTabEvents";

export function ConversationBadges({ conversationId }: { conversationId: string }) {
  const { generating, unread, trouble } = useTabEvents();
  if (generating.has(conversationId)) {
    return (
      <span data-testid="badge-generating" title="Claude is replying" className="flex shrink-0 items-center text-clay-600 dark:text-clay-400">
        <span className="tool-spinner inline-block h-3.5 w-3.5 rounded-full border-2 border-current border-r-transparent" aria-hidden />
        <span className="sr-only">Claude is replying</span>
      </span>
    );
  }
  const problem = trouble.get(conversationId);
  if (problem) {
    const text = problem === "failed" ? "Reply failed" : "Reply interrupted";
    return (
      <span data-testid="badge-trouble" data-trouble={problem} title={text} className="flex shrink-0 items-center text-amber-700 dark:text-amber-400">
        <svg viewBox="0 0 16 16" className="h-3.5 w-3.5" fill="none" stroke="currentColor" strokeWidth="1.8" aria-hidden>
          <circle cx="8" cy="8" r="6.25" />
          <path d="M8 4.75v3.75M8 11v.25" strokeLinecap="round" />
        </svg>
        <span className="sr-only">{text}</span>
      </span>
    );
  }
  if (unread.has(conversationId)) {
    return (
      <span data-testid="badge-unread" title="New reply" className="flex shrink-0 items-center px-0.5">
        <span className="h-2 w-2 rounded-full bg-clay-600 dark:bg-clay-400" aria-hidden />
        <span className="sr-only">New reply</span>
      </span>
    );
  }
  return null;
}
