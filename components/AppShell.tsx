"use client";
// Page frame: the sidebar beside the page on wide screens; on narrow ones a
// top bar (the drawer's toggle, the chat's title, New chat) and the sidebar
// as a drawer over the page. First of all, a skip link to the message box
// (WCAG 2.4.1), shown when focused.
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { usePathname } from "next/navigation";
import { Sidebar } from "./Sidebar";
import { ConnectionBanner } from "./ConnectionBanner";
import type { Conversation } from "@/lib/chat/types";
import type { AccountView } from "@/lib/auth/client";
import { shortcutOf } from "@/lib/client/shortcuts";
import { onNewChatClick } from "@/lib/client/new-chat";
import type { TabStart } from "@/lib/events/generating";
import { useTabEventsStart } from "./useTabEvents";
import { useLiveConversations } from "./useLiveConversations";
import { useReplyNotices } from "./useReplyNotices";

type Props = {
  conversations: Conversation[];
  account?: AccountView | null;
  /** Set when this visit got no session because the server refused a new guest (too many from this network). */
  guestLimit?: { retryInMinutes: number } | null;
  /** Where this tab's event stream starts (the render's latest event id). */
  events?: TabStart | null;
  children: React.ReactNode;
};

export function AppShell({ conversations: fromServer, account = null, guestLimit = null, events = null, children }: Props) {
  useTabEventsStart(events);
  const conversations = useLiveConversations(fromServer, events?.after ?? null);
  useReplyNotices();
  const [open, setOpen] = useState(false);
  const pathname = usePathname();
  const toggle = useRef<HTMLButtonElement>(null);
  const close = () => {
    setOpen(false);
    // Back to where the keyboard user opened it from (hidden on wide screens).
    if (toggle.current?.offsetParent) toggle.current.focus();
  };

  const activeId = pathname.startsWith("/c/") ? decodeURIComponent(pathname.slice(3)) : null;
  const heading = activeId
    ? (conversations.find((c) => c.id === activeId)?.title ?? "Chat")
    : pathname === "/"
      ? "New chat"
      : pathname === "/settings"
        ? "Settings"
        : "Tether";
  const chatPage = pathname === "/" || activeId !== null;
  // Straight to the composer where there is one (its textarea is #composer), else to the page.
  const skip = (e: React.MouseEvent) => {
    e.preventDefault();
    (document.getElementById("composer") ?? document.getElementById("main"))?.focus();
  };

  // A navigation (picking a chat, New chat, Settings) closes the drawer.
  useEffect(() => setOpen(false), [pathname]);

  // Ctrl/Cmd+K on a narrow screen: the search box lives in the drawer, so open it
  // (SidebarSearch focuses the box itself).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (shortcutOf(e) === "focus-search" && toggle.current?.offsetParent) setOpen(true);
    };
    // Capture: before the search box's own handler marks the event handled.
    window.addEventListener("keydown", onKey, { capture: true });
    return () => window.removeEventListener("keydown", onKey, { capture: true });
  }, []);

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && close();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open]);

  return (
    <div className="flex h-dvh overflow-hidden">
      <a
        href={chatPage ? "#composer" : "#main"}
        onClick={skip}
        data-testid="skip-link"
        className="sr-only z-50 rounded-lg bg-white px-3 py-2 text-sm font-medium text-zinc-900 shadow-lg ring-2 ring-clay-500 focus:not-sr-only focus:fixed focus:top-2 focus:left-2 dark:bg-zinc-900 dark:text-zinc-100"
      >
        {chatPage ? "Skip to message box" : "Skip to content"}
      </a>
      <Sidebar conversations={conversations} account={account} open={open} onClose={close} onNavigate={() => setOpen(false)} />
      {open && <div className="fixed inset-0 z-30 bg-black/40 md:hidden" aria-hidden onClick={close} />}
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex h-12 shrink-0 items-center gap-2 border-b border-zinc-200 px-2 md:hidden dark:border-zinc-800">
          <button
            type="button"
            ref={toggle}
            data-testid="sidebar-toggle"
            aria-label="Open conversations"
            aria-expanded={open}
            aria-controls="sidebar"
            onClick={() => setOpen(true)}
            className="rounded-md p-2 text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800"
          >
            <svg viewBox="0 0 20 20" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth="1.8" aria-hidden>
              <path d="M3 5h14M3 10h14M3 15h14" strokeLinecap="round" />
            </svg>
          </button>
          <span data-testid="mobile-title" title={heading} className="min-w-0 flex-1 truncate text-center text-sm font-semibold">
            {heading}
          </span>
          <Link
            href="/?new=1"
            onClick={onNewChatClick}
            data-testid="mobile-new-chat"
            aria-label="New chat"
            title="New chat"
            className="rounded-md p-2 text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800"
          >
            <svg viewBox="0 0 20 20" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth="1.7" aria-hidden>
              <path d="M9 4H5.5A1.5 1.5 0 004 5.5v9A1.5 1.5 0 005.5 16h9a1.5 1.5 0 001.5-1.5V11" strokeLinecap="round" />
              <path d="M14.5 3.5l2 2L10 12H8v-2l6.5-6.5z" strokeLinejoin="round" />
            </svg>
          </Link>
        </header>
        {guestLimit && (
          <div
            role="alert"
            data-testid="guest-limit-notice"
            className="border-b border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
          >
            Too many new guest sessions from your network.{" "}
            <Link href="/signin" className="font-medium underline">
              Sign in
            </Link>
            , or try again in {guestLimit.retryInMinutes} {guestLimit.retryInMinutes === 1 ? "minute" : "minutes"}.
          </div>
        )}
        <ConnectionBanner />
        <main id="main" tabIndex={-1} className="flex min-h-0 flex-1 flex-col outline-none">
          {children}
        </main>
      </div>
    </div>
  );
}
