"use client";
// One sidebar row: a link to the conversation, inline rename (Enter saves,
// Esc cancels, leaving the field saves), delete with an inline confirm, and
// a menu with the exports.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import * as api from "@/lib/client/api";
import { liveReplyFor, releaseReply } from "@/lib/client/reply-registry";
import type { Conversation } from "@/lib/chat/types";
import { ConversationMenu } from "./ConversationMenu";
import { ConversationBadges } from "./ConversationBadges";

type Mode = "view" | "rename" | "confirm-delete";

const iconButton = "rounded-md p-1.5 text-zinc-500 hover:bg-zinc-200 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-700 dark:hover:text-zinc-100";

export function ConversationItem({ conversation, active, onDeleted }: { conversation: Conversation; active: boolean; onDeleted: (id: string) => void }) {
  const router = useRouter();
  const [mode, setMode] = useState<Mode>("view");
  const [title, setTitle] = useState(conversation.title);
  const [draft, setDraft] = useState(conversation.title);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const renameButton = useRef<HTMLButtonElement>(null);
  // Esc unmounts the field, which blurs it: the blur must not save.
  const cancelled = useRef(false);

  // The server's title wins whenever it changes (auto-title, another tab).
  useEffect(() => setTitle(conversation.title), [conversation.title]);

  useEffect(() => {
    if (mode === "rename") input.current?.select();
  }, [mode]);

  const startRename = () => {
    cancelled.current = false;
    setDraft(title);
    setError(null);
    setMode("rename");
  };

  const finishRename = async () => {
    if (cancelled.current) return;
    cancelled.current = true;
    setMode("view");
    const next = draft.trim();
    if (!next || next === title) return;
    const before = title;
    setTitle(next);
    try {
      await api.renameConversation(conversation.id, next);
      router.refresh();
    } catch (e) {
      setTitle(before);
      setError(api.describeError(e));
    }
  };

  const cancelRename = () => {
    cancelled.current = true;
    setMode("view");
    requestAnimationFrame(() => renameButton.current?.focus());
  };

  const remove = async () => {
    setBusy(true);
    try {
      await api.deleteConversation(conversation.id);
      const live = liveReplyFor(conversation.id);
      if (live) releaseReply(live);
      onDeleted(conversation.id);
    } catch (e) {
      setError(api.describeError(e));
      setMode("view");
    } finally {
      setBusy(false);
    }
  };

  return (
    <li
      data-testid="conversation-item"
      data-conversation-id={conversation.id}
      data-active={active ? "true" : undefined}
      className={`group relative rounded-lg ${active ? "bg-zinc-200 dark:bg-zinc-800" : "hover:bg-zinc-100 dark:hover:bg-zinc-800/60"}`}
    >
      {mode === "rename" ? (
        <div className="p-1">
          <label htmlFor={`rename-${conversation.id}`} className="sr-only">
            Conversation title
          </label>
          <input
            id={`rename-${conversation.id}`}
            ref={input}
            data-testid="rename-input"
            value={draft}
            maxLength={200}
            onChange={(e) => setDraft(e.target.value)}
            onBlur={finishRename}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.nativeEvent.isComposing) {
                e.preventDefault();
                void finishRename();
              } else if (e.key === "Escape") {
                e.preventDefault();
                e.stopPropagation();
                cancelRename();
              }
            }}
            className="w-full rounded-md border border-clay-500 bg-white px-2 py-1.5 text-sm outline-none dark:bg-zinc-950"
          />
        </div>
      ) : mode === "confirm-delete" ? (
        <div role="group" aria-label={`Delete ${title}?`} className="flex items-center gap-1 px-2 py-1.5 text-sm">
          <span className="min-w-0 flex-1 truncate text-zinc-700 dark:text-zinc-300">Delete this chat?</span>
          <button
            type="button"
            data-testid="confirm-delete"
            disabled={busy}
            onClick={remove}
            autoFocus
            className="rounded-md bg-red-600 px-2 py-1 text-xs font-medium text-white hover:bg-red-700 disabled:opacity-60"
          >
            Delete
          </button>
          <button
            type="button"
            data-testid="cancel-delete"
            disabled={busy}
            onClick={() => setMode("view")}
            className="rounded-md px-2 py-1 text-xs text-zinc-700 hover:bg-zinc-300 dark:text-zinc-300 dark:hover:bg-zinc-700"
          >
            Cancel
          </button>
        </div>
      ) : (
        <div className="flex items-center">
          <Link
            href={`/c/${conversation.id}`}
            aria-current={active ? "page" : undefined}
            title={title}
            className="min-w-0 flex-1 truncate rounded-lg px-3 py-2 text-sm text-zinc-800 dark:text-zinc-200"
          >
            {title}
          </Link>
          <ConversationBadges conversationId={conversation.id} />
          <div
            className={`flex shrink-0 items-center pr-1 ${
              active ? "" : "opacity-0 group-focus-within:opacity-100 group-hover:opacity-100 [@media(hover:none)]:opacity-100"
            }`}
          >
            <button type="button" ref={renameButton} data-testid="rename-button" aria-label={`Rename “${title}”`} onClick={startRename} className={iconButton}>
              <svg viewBox="0 0 20 20" className="h-4 w-4" fill="none" stroke="currentColor" strokeWidth="1.7" aria-hidden>
                <path d="M13.5 3.5l3 3L7 16H4v-3l9.5-9.5z" strokeLinejoin="round" />
              </svg>
            </button>
            <button type="button" data-testid="delete-button" aria-label={`Delete “${title}”`} onClick={() => setMode("confirm-delete")} className={iconButton}>
              <svg viewBox="0 0 20 20" className="h-4 w-4" fill="none" stroke="currentColor" strokeWidth="1.7" aria-hidden>
                <path d="M4 6h12M8 6V4h4v2M6 6l1 10h6l1-10" strokeLinecap="round" strokeLinejoin="round" />
              </svg>
            </button>
            <ConversationMenu conversationId={conversation.id} title={title} buttonClassName={iconButton} />
          </div>
        </div>
      )}
      {error && (
        <p role="alert" className="px-3 pb-2 text-xs text-red-600 dark:text-red-400">
          {error}
        </p>
      )}
    </li>
  );
}
