"use client";
// The action bar under a finished message: the version pager (always shown
// when there are versions), Copy, and Regenerate (on the latest reply) or
// Edit (on user messages). The buttons show on hover or keyboard focus with
// a mouse, always on touch screens, and always on the latest reply. Beside
// them: the model that wrote a reply (its display name), when the message
// was written, and a reply's usage and cost (docs/API.md "Usage and cost"),
// details on hover.
import { memo, useEffect, useRef, useState, useSyncExternalStore } from "react";
import type { Message } from "@/lib/chat/types";
import { copyText } from "@/lib/client/clipboard";
import { messageTime } from "@/lib/client/message-time";
import { modelName } from "@/lib/client/model-catalog";
import { usageDetails, usageLine } from "@/lib/client/usage-format";
import { useModelCatalog } from "./useModelCatalog";
import { VersionPager } from "./VersionPager";

const noSubscription = () => () => {};

type Props = {
  message: Message;
  /** A reply generates, or a version switch is under way: nothing that changes the path. */
  locked: boolean;
  onSelect?: (id: string) => void;
  onRegenerate?: (message: Message) => void;
  onEdit?: (message: Message) => void;
  /** Shown without hovering (the latest reply). */
  pinned?: boolean;
};

const button =
  "inline-flex h-7 items-center gap-1 rounded-md px-1.5 text-xs text-zinc-500 hover:bg-zinc-100 hover:text-zinc-900 disabled:cursor-not-allowed disabled:opacity-40 disabled:hover:bg-transparent disabled:hover:text-zinc-500 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100";

export const MessageActions = memo(function MessageActions({ message, locked, onSelect, onRegenerate, onEdit, pinned }: Props) {
  const [copied, setCopied] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const copy = async () => {
    if (!(await copyText(message.content))) return;
    setCopied(true);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setCopied(false), 2000);
  };

  const user = message.role === "user";
  const usage = user ? undefined : message.metadata?.usage;
  const catalog = useModelCatalog();
  const model = user ? undefined : message.metadata.model;
  // The reader's time zone: formatted in the browser only (the server's would differ).
  const inBrowser = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
  const when = inBrowser ? messageTime(message.createdAt, new Date()) : undefined;
  const time = when && (
    <time data-testid="message-time" dateTime={message.createdAt} title={when.full} className="px-1.5 text-xs whitespace-nowrap text-zinc-500 dark:text-zinc-400">
      {when.short}
    </time>
  );
  return (
    <div data-testid="message-actions" className={`flex items-center gap-0.5 ${user ? "justify-end" : "-ml-1.5"}`}>
      {message.versions && message.versions.count > 1 && (
        <VersionPager versions={message.versions} disabled={locked} onSelect={onSelect} kind={user ? "message" : "reply"} />
      )}
      <div
        className={`flex items-center gap-0.5 transition-opacity duration-150 ${
          pinned || copied ? "" : "opacity-0 group-hover/msg:opacity-100 focus-within:opacity-100 [@media(hover:none)]:opacity-100"
        }`}
      >
        {user && time}
        <button type="button" data-testid="copy-message" aria-label={user ? "Copy message" : "Copy reply"} title="Copy" onClick={copy} className={button}>
          {copied ? (
            <svg viewBox="0 0 20 20" className="h-4 w-4 text-emerald-600 dark:text-emerald-400" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden>
              <path d="M4.5 10.5l3.5 3.5 7.5-8" strokeLinecap="round" strokeLinejoin="round" />
            </svg>
          ) : (
            <svg viewBox="0 0 20 20" className="h-4 w-4" fill="none" stroke="currentColor" strokeWidth="1.7" aria-hidden>
              <rect x="7" y="7" width="9.5" height="9.5" rx="2" />
              <path d="M13 7V5.5A2 2 0 0011 3.5H5.5a2 2 0 00-2 2V11a2 2 0 002 2H7" />
            </svg>
          )}
          {copied && <span>Copied</span>}
        </button>
        {/* Announced once per copy (the visible word is not enough for screen readers). */}
        <span role="status" className="sr-only">
          {copied ? "Copied" : ""}
        </span>
        {onEdit && (
          <button
            type="button"
            data-testid="edit-message"
            aria-label="Edit message"
            title="Edit and resend"
            disabled={locked}
            onClick={() => onEdit(message)}
            className={button}
          >
            <svg viewBox="0 0 20 20" className="h-4 w-4" fill="none" stroke="currentColor" strokeWidth="1.7" aria-hidden>
              <path d="M13.5 3.5l3 3L7 16H4v-3l9.5-9.5z" strokeLinejoin="round" />
            </svg>
          </button>
        )}
        {onRegenerate && (
          <button
            type="button"
            data-testid="regenerate"
            aria-label="Regenerate reply"
            title="Regenerate"
            disabled={locked}
            onClick={() => onRegenerate(message)}
            className={button}
          >
            <svg viewBox="0 0 20 20" className="h-4 w-4" fill="none" stroke="currentColor" strokeWidth="1.7" aria-hidden>
              <path d="M16 10a6 6 0 11-1.76-4.24M16 3.5v3.25h-3.25" strokeLinecap="round" strokeLinejoin="round" />
            </svg>
          </button>
        )}
        {model && (
          // Which model wrote this reply, with the buttons (on hover).
          <span
            data-testid="reply-model"
            data-model-id={model}
            title={`Written by ${model}`}
            className="px-1.5 text-xs whitespace-nowrap text-zinc-500 dark:text-zinc-400"
          >
            {modelName(catalog, model)}
          </span>
        )}
        {!user && time}
        {usage && (
          <span
            data-testid="reply-usage"
            title={usageDetails(usage, message.metadata.cost, message.metadata.model)}
            className="ml-1 min-w-0 truncate text-xs text-zinc-500 tabular-nums dark:text-zinc-400"
          >
            {usageLine(usage, message.metadata.cost)}
          </span>
        )}
      </div>
    </div>
  );
});
