"use client";
// The conversation list in groups (Pinned, Today, Yesterday, Previous 7 days,
// Older: lib/client/conversation-groups.ts), New chat, and Settings; archived
// chats under "Archived (n)". Deletions, pins and archives show at once; the
// server list catches up on router.refresh().
//
// Keyboard (roving tabindex, as in the WAI-ARIA APG's treegrid and menu
// patterns): the whole list is one tab stop; ↑/↓ move between chats,
// Home/End to the first and last, Enter opens; Shift+F10 or the Menu key
// opens the chat's actions (ConversationItem).
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useRef, useState, useSyncExternalStore, type KeyboardEvent } from "react";
import { ConversationItem, type Mark } from "./ConversationItem";
import { SidebarSearch } from "./SidebarSearch";
import { AccountArea } from "./AccountArea";
import * as api from "@/lib/client/api";
import { groupConversations, startOfDay, type Zone } from "@/lib/client/conversation-groups";
import type { Conversation } from "@/lib/chat/types";
import type { AccountView } from "@/lib/auth/client";
import { onNewChatClick } from "@/lib/client/new-chat";

type Props = { conversations: readonly Conversation[]; account?: AccountView | null; open: boolean; onClose: () => void; onNavigate: () => void };

// Today's start: the browser's midnight, re-read every minute (a tab left open
// overnight regroups); the server's render and hydration use UTC's.
const subscribeDay = (fn: () => void) => {
  const timer = setInterval(fn, 60_000);
  return () => clearInterval(timer);
};
const localDay = () => `local ${startOfDay(Date.now(), "local")}`;
const serverDay = () => `utc ${startOfDay(Date.now(), "utc")}`;

export function Sidebar({ conversations, account = null, open, onClose, onNavigate }: Props) {
  const pathname = usePathname();
  const router = useRouter();
  const [deleted, setDeleted] = useState<ReadonlySet<string>>(new Set());
  // Pins and archives not yet in `conversations` (until the refresh lands).
  const [marks, setMarks] = useState<Readonly<Record<string, Pick<Conversation, "pinnedAt" | "archivedAt">>>>({});
  const [markError, setMarkError] = useState<string | null>(null);
  const [showArchived, setShowArchived] = useState(false);
  const [focusId, setFocusId] = useState<string | null>(null);
  const [zone, day] = useSyncExternalStore(subscribeDay, localDay, serverDay).split(" ") as [Zone, string];
  const activeId = pathname.startsWith("/c/") ? decodeURIComponent(pathname.slice(3)) : null;
  const closeButton = useRef<HTMLButtonElement>(null);
  const nav = useRef<HTMLElement>(null);

  useEffect(() => setMarks({}), [conversations]);

  const visible = conversations.filter((c) => !deleted.has(c.id)).map((c) => (marks[c.id] ? { ...c, ...marks[c.id] } : c));
  const groups = groupConversations(visible, Number(day), zone);
  const archived = visible.filter((c) => c.archivedAt);
  const rows = [...groups.flatMap((g) => g.conversations), ...(showArchived ? archived : [])];
  const tabStop = rows.find((c) => c.id === focusId)?.id ?? rows.find((c) => c.id === activeId)?.id ?? rows[0]?.id;

  // Opening the drawer moves focus into it, so keyboard users land there.
  useEffect(() => {
    if (open) closeButton.current?.focus();
  }, [open]);

  const onDeleted = (id: string) => {
    setDeleted((s) => new Set(s).add(id));
    // Leaving a deleted chat re-renders "/" (the newest remaining one); the
    // hidden row covers the layout, which a navigation does not re-fetch.
    if (id === activeId) router.replace("/");
    else router.refresh();
  };

  const onMark = async (id: string, mark: Mark) => {
    const before = visible.find((c) => c.id === id);
    if (!before) return;
    const now = new Date().toISOString();
    const next = {
      pinnedAt: mark.pinned === undefined ? before.pinnedAt : mark.pinned ? now : null,
      archivedAt: mark.archived === undefined ? before.archivedAt : mark.archived ? now : null,
    };
    // The row moves (to another group, or out of the list): keep the keyboard in the list.
    const hadFocus = nav.current?.contains(document.activeElement);
    setMarks((m) => ({ ...m, [id]: next }));
    setMarkError(null);
    if (hadFocus) requestAnimationFrame(() => focusRow(id));
    try {
      await api.markConversation(id, mark);
      router.refresh();
    } catch (e) {
      setMarks((m) => ({ ...m, [id]: { pinnedAt: before.pinnedAt, archivedAt: before.archivedAt } }));
      setMarkError(api.describeError(e));
    }
  };

  const links = () => Array.from(nav.current?.querySelectorAll<HTMLElement>("[data-row-link]") ?? []);
  /** Focus on the row's link, or (it left the list) the row now holding the tab stop, else the list's first. */
  const focusRow = (id: string) => {
    const all = links();
    (all.find((a) => a.closest("[data-conversation-id]")?.getAttribute("data-conversation-id") === id) ?? all[0])?.focus();
  };

  const onListKey = (e: KeyboardEvent) => {
    const all = links();
    const at = all.indexOf(e.target as HTMLElement);
    if (at < 0) return;
    const to = e.key === "ArrowDown" ? at + 1 : e.key === "ArrowUp" ? at - 1 : e.key === "Home" ? 0 : e.key === "End" ? all.length - 1 : null;
    if (to === null) return;
    e.preventDefault();
    all[Math.max(0, Math.min(all.length - 1, to))]?.focus();
  };

  const item = (c: Conversation) => (
    <ConversationItem key={c.id} conversation={c} active={c.id === activeId} tabbable={c.id === tabStop} onDeleted={onDeleted} onMark={onMark} />
  );

  return (
    // Following any link closes the mobile drawer (even to the current page).
    <aside
      onClick={(e) => (e.target as HTMLElement).closest("a") && onNavigate()}
      id="sidebar"
      data-testid="sidebar"
      aria-label="Conversations"
      className={`fixed inset-y-0 left-0 z-40 flex w-72 shrink-0 flex-col border-r border-zinc-200 bg-zinc-50 transition-transform duration-200 md:static md:z-auto md:translate-x-0 dark:border-zinc-800 dark:bg-zinc-900 ${
        open ? "translate-x-0 shadow-xl" : "max-md:invisible max-md:-translate-x-full"
      }`}
    >
      <div className="flex items-center justify-between gap-2 px-3 pt-3 pb-2">
        <Link href="/" className="rounded-md px-1 text-lg font-semibold tracking-tight">
          Tether
        </Link>
        <button
          type="button"
          ref={closeButton}
          onClick={onClose}
          aria-label="Close conversations"
          className="rounded-md p-1.5 text-zinc-500 hover:bg-zinc-200 md:hidden dark:hover:bg-zinc-800"
        >
          <svg viewBox="0 0 20 20" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth="1.8" aria-hidden>
            <path d="M5 5l10 10M15 5L5 15" strokeLinecap="round" />
          </svg>
        </button>
      </div>
      <div className="px-3 pb-2">
        <Link
          href="/?new=1"
          onClick={onNewChatClick}
          data-testid="new-chat"
          title="New chat (Ctrl/⌘+Shift+O)"
          className="flex w-full items-center justify-center gap-2 rounded-lg bg-clay-600 px-3 py-2 text-sm font-medium text-white shadow-sm hover:bg-clay-700"
        >
          <svg viewBox="0 0 20 20" className="h-4 w-4" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden>
            <path d="M10 4v12M4 10h12" strokeLinecap="round" />
          </svg>
          New chat
        </Link>
      </div>
      <SidebarSearch />
      <nav
        ref={nav}
        aria-label="Conversation list"
        data-testid="conversation-list"
        onKeyDown={onListKey}
        onFocus={(e) => {
          const id = (e.target as HTMLElement).closest("[data-conversation-id]")?.getAttribute("data-conversation-id");
          if (id && e.target.hasAttribute("data-row-link")) setFocusId(id);
        }}
        className="min-h-0 flex-1 overflow-y-auto px-2 pb-2"
      >
        <p className="sr-only">Up and down arrows move between chats; Shift+F10 opens a chat&apos;s actions.</p>
        {groups.length === 0 && archived.length === 0 && <p className="px-2 py-4 text-sm text-zinc-600 dark:text-zinc-400">No conversations yet.</p>}
        {groups.map((g) => (
          <section key={g.name} aria-labelledby={`group-${g.name}`} data-testid="conversation-group" data-group={g.name}>
            <h2 id={`group-${g.name}`} className="px-3 pt-3 pb-1 text-xs font-medium text-zinc-600 dark:text-zinc-400">
              {g.name}
            </h2>
            <ul className="space-y-0.5">{g.conversations.map(item)}</ul>
          </section>
        ))}
        {markError && (
          <p role="alert" className="px-3 py-2 text-xs text-red-700 dark:text-red-400">
            {markError}
          </p>
        )}
        {archived.length > 0 && (
          <section aria-label="Archived chats" className="mt-2">
            <button
              type="button"
              data-testid="archived-toggle"
              aria-expanded={showArchived}
              aria-controls="archived-list"
              onClick={() => setShowArchived((s) => !s)}
              className="flex w-full items-center gap-1.5 rounded-lg px-3 py-2 text-left text-xs font-medium text-zinc-600 hover:bg-zinc-100 dark:text-zinc-400 dark:hover:bg-zinc-800/60"
            >
              <svg
                viewBox="0 0 20 20"
                className={`h-3.5 w-3.5 transition-transform ${showArchived ? "rotate-90" : ""}`}
                fill="none"
                stroke="currentColor"
                strokeWidth="2"
                aria-hidden
              >
                <path d="M7.5 5l5 5-5 5" strokeLinecap="round" strokeLinejoin="round" />
              </svg>
              Archived ({archived.length})
            </button>
            {showArchived && (
              <ul id="archived-list" data-testid="archived-list" className="space-y-0.5">
                {archived.map(item)}
              </ul>
            )}
          </section>
        )}
      </nav>
      <div className="border-t border-zinc-200 p-2 dark:border-zinc-800">
        <AccountArea account={account} />
        <Link
          href="/settings"
          data-testid="settings-link"
          aria-current={pathname === "/settings" ? "page" : undefined}
          className="flex items-center gap-2 rounded-lg px-3 py-2 text-sm text-zinc-700 hover:bg-zinc-200 aria-[current=page]:bg-zinc-200 dark:text-zinc-300 dark:hover:bg-zinc-800 dark:aria-[current=page]:bg-zinc-800"
        >
          <svg viewBox="0 0 20 20" className="h-4 w-4" fill="none" stroke="currentColor" strokeWidth="1.7" aria-hidden>
            <circle cx="10" cy="10" r="2.5" />
            <path d="M10 2.5v2M10 15.5v2M2.5 10h2M15.5 10h2M4.7 4.7l1.4 1.4M13.9 13.9l1.4 1.4M4.7 15.3l1.4-1.4M13.9 6.1l1.4-1.4" strokeLinecap="round" />
          </svg>
          Settings
        </Link>
      </div>
    </aside>
  );
}
