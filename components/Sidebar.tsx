"use client";
// The conversation list (newest first, as the server orders it), New chat,
// and Settings. Deletions hide the row at once; the server list catches up
// on router.refresh().
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { ConversationItem } from "./ConversationItem";
import { SidebarSearch } from "./SidebarSearch";
import { AccountArea } from "./AccountArea";
import { useLiveConversations } from "./useLiveConversations";
import type { Conversation } from "@/lib/chat/types";
import type { AccountView } from "@/lib/auth/client";

type Props = { conversations: Conversation[]; account?: AccountView | null; open: boolean; onClose: () => void; onNavigate: () => void };

export function Sidebar({ conversations: fromServer, account = null, open, onClose, onNavigate }: Props) {
  const conversations = useLiveConversations(fromServer);
  const pathname = usePathname();
  const router = useRouter();
  const [deleted, setDeleted] = useState<ReadonlySet<string>>(new Set());
  const activeId = pathname.startsWith("/c/") ? decodeURIComponent(pathname.slice(3)) : null;
  const visible = conversations.filter((c) => !deleted.has(c.id));
  const closeButton = useRef<HTMLButtonElement>(null);

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
      <nav aria-label="Conversation list" className="min-h-0 flex-1 overflow-y-auto px-2 pb-2">
        {visible.length === 0 ? (
          <p className="px-2 py-4 text-sm text-zinc-500 dark:text-zinc-400">No conversations yet.</p>
        ) : (
          <ul className="space-y-0.5">
            {visible.map((c) => (
              <ConversationItem key={c.id} conversation={c} active={c.id === activeId} onDeleted={onDeleted} />
            ))}
          </ul>
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
