"use client";
// One sidebar row: the title across the row's full width, linking to the
// conversation, and one "⋯" menu (ConversationMenu) over its right end, shown
// on hover or focus, always on the open chat's row, and on every row of a
// touch screen (no hover there), the title fading out under it. The row's
// link is its one tab stop (the list moves focus between rows with ↑/↓:
// Sidebar); from it, Shift+F10 or the Menu key
// opens the menu and → reaches its button (← back). Inline rename (Enter
// saves, Esc cancels, leaving the field saves), delete with a confirm, and
// the share dialog.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import * as api from "@/lib/client/api";
import { liveReplyFor, releaseReply } from "@/lib/client/reply-registry";
import type { Conversation } from "@/lib/chat/types";
import { ConversationMenu, type MenuAction } from "./ConversationMenu";
import { ConversationBadges } from "./ConversationBadges";
import { ApiKeyBadge } from "./ApiKeyBadge";
import { ShareDialog } from "./ShareDialog";

type Mode = "view" | "rename" | "confirm-delete";
export type Mark = { pinned?: boolean; archived?: boolean };

type Props = {
  conversation: Conversation;
  active: boolean;
  /** The list's one tab stop (roving tabindex). */
  tabbable: boolean;
  onDeleted: (id: string) => void;
  onMark: (id: string, mark: Mark) => void;
};

const menuButton = "rounded-md p-1.5 text-zinc-600 hover:bg-zinc-300/70 hover:text-zinc-900 dark:text-zinc-300 dark:hover:bg-zinc-700 dark:hover:text-zinc-100";
// Where the ⋯ shows, the end of the title fades out under it (whole class
// names, so Tailwind finds them).
const FADE = "[mask-image:linear-gradient(to_left,transparent_2.25rem,#000_3.75rem)]";
// A touch screen has no hover: there every row shows its ⋯.
const FADE_ON_HOVER =
  "group-hover:[mask-image:linear-gradient(to_left,transparent_2.25rem,#000_3.75rem)] group-focus-within:[mask-image:linear-gradient(to_left,transparent_2.25rem,#000_3.75rem)] [@media(hover:none)]:[mask-image:linear-gradient(to_left,transparent_2.25rem,#000_3.75rem)]";

export function ConversationItem({ conversation, active, tabbable, onDeleted, onMark }: Props) {
  const router = useRouter();
  const [mode, setMode] = useState<Mode>("view");
  const [menuOpen, setMenuOpen] = useState(false);
  const [sharing, setSharing] = useState(false);
  const [title, setTitle] = useState(conversation.title);
  const [draft, setDraft] = useState(conversation.title);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const link = useRef<HTMLAnchorElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  // Esc unmounts the field, which blurs it: the blur must not save.
  const cancelled = useRef(false);

  // The server's title wins whenever it changes (auto-title, another tab).
  useEffect(() => setTitle(conversation.title), [conversation.title]);

  useEffect(() => {
    if (mode === "rename") input.current?.select();
  }, [mode]);

  const backToRow = () => requestAnimationFrame(() => link.current?.focus());

  const onAction = (action: MenuAction) => {
    if (action === "rename") {
      cancelled.current = false;
      setDraft(title);
      setError(null);
      setMode("rename");
    } else if (action === "delete") setMode("confirm-delete");
    else if (action === "share") setSharing(true);
    else if (action === "pin") onMark(conversation.id, { pinned: !conversation.pinnedAt });
    else onMark(conversation.id, { archived: !conversation.archivedAt });
  };

  const finishRename = async () => {
    if (cancelled.current) return;
    cancelled.current = true;
    setMode("view");
    backToRow();
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
    backToRow();
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

  // Visible on the open chat's row, while the menu is open, and elsewhere on
  // hover or focus inside the row.
  const always = menuOpen || active;
  const shown = always ? "visible" : "invisible group-hover:visible group-focus-within:visible [@media(hover:none)]:visible";
  const faded = always ? FADE : FADE_ON_HOVER;

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
              e.stopPropagation(); // arrows and Home/End edit the text, not move between rows
              if (e.key === "Enter" && !e.nativeEvent.isComposing) {
                e.preventDefault();
                void finishRename();
              } else if (e.key === "Escape") {
                e.preventDefault();
                cancelRename();
              }
            }}
            className="w-full rounded-md border border-clay-500 bg-white px-2 py-1.5 text-sm outline-none dark:bg-zinc-950"
          />
        </div>
      ) : mode === "confirm-delete" ? (
        <div role="group" aria-label={`Delete ${title}?`} onKeyDown={(e) => e.stopPropagation()} className="flex items-center gap-1 px-2 py-1.5 text-sm">
          <span className="min-w-0 flex-1 truncate text-zinc-700 dark:text-zinc-300">Delete this chat?</span>
          <button
            type="button"
            data-testid="confirm-delete"
            disabled={busy}
            onClick={remove}
            autoFocus
            className="rounded-md bg-red-700 px-2 py-1 text-xs font-medium text-white hover:bg-red-800 disabled:opacity-60"
          >
            Delete
          </button>
          <button
            type="button"
            data-testid="cancel-delete"
            disabled={busy}
            onClick={() => {
              setMode("view");
              backToRow();
            }}
            onKeyDown={(e) => e.key === "Escape" && (setMode("view"), backToRow())}
            className="rounded-md px-2 py-1 text-xs text-zinc-700 hover:bg-zinc-300 dark:text-zinc-300 dark:hover:bg-zinc-700"
          >
            Cancel
          </button>
        </div>
      ) : (
        <>
          <Link
            ref={link}
            href={`/c/${conversation.id}`}
            tabIndex={tabbable ? 0 : -1}
            data-row-link
            aria-current={active ? "page" : undefined}
            aria-keyshortcuts="Shift+F10"
            title={title}
            onKeyDown={(e) => {
              if ((e.key === "F10" && e.shiftKey) || e.key === "ContextMenu") {
                e.preventDefault();
                setMenuOpen(true);
              } else if (e.key === "ArrowRight") {
                e.preventDefault();
                button.current?.focus();
              }
            }}
            className="block rounded-lg px-3 py-2 text-sm text-zinc-800 dark:text-zinc-200"
          >
            <span className="flex items-center gap-1.5">
              <ConversationBadges conversationId={conversation.id} />
              {conversation.apiKey && <ApiKeyBadge name={conversation.apiKey.name} />}
              <span data-testid="conversation-title" className={`min-w-0 flex-1 truncate ${faded}`}>
                {title}
              </span>
            </span>
          </Link>
          <div
            className={`absolute inset-y-0 right-1 flex items-center ${shown}`}
            onKeyDown={(e) => {
              if (e.key === "ArrowLeft" && e.target === button.current) {
                e.preventDefault();
                link.current?.focus();
              }
            }}
          >
            <ConversationMenu
              conversationId={conversation.id}
              title={title}
              pinned={!!conversation.pinnedAt}
              archived={!!conversation.archivedAt}
              open={menuOpen}
              onOpenChange={setMenuOpen}
              onAction={onAction}
              buttonRef={button}
              buttonClassName={menuButton}
            />
          </div>
        </>
      )}
      {sharing && (
        <ShareDialog
          conversationId={conversation.id}
          title={title}
          open
          onClose={() => {
            setSharing(false);
            backToRow();
          }}
        />
      )}
      {error && (
        <p role="alert" className="px-3 pb-2 text-xs text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </li>
  );
}
