"use client";
// Search over the user's own conversations (titles and message text) at the
// top of the sidebar: debounced, one result per conversation (its title and
// best snippets, matches highlighted: lib/chat/search-snippets.ts) in a list
// under the box (↑/↓ to move, Enter to open, Esc to close). Opening a hit
// goes to /c/:id?m=<message> (scrolled to it; see useMessageTarget). Also
// owns the app-wide shortcuts Ctrl/Cmd+K (focus here) and Ctrl/Cmd+Shift+O
// (new chat): the sidebar is on every page.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import * as api from "@/lib/client/api";
import { createSearch, IDLE, MAX_QUERY_CHARS, type SearchState } from "@/lib/client/search-query";
import { shortcutLabel, shortcutOf } from "@/lib/client/shortcuts";
import type { SearchResult } from "@/lib/chat/types";
import { requestNewChat } from "@/lib/client/new-chat";
import { SearchSnippet } from "./SearchSnippet";
import { useAppleKeys } from "./useAppleKeys";

/** The message a result opens at: its best message hit (the title alone: the conversation's end). */
const targetOf = (r: SearchResult) => r.snippets[0]?.messageId ?? r.messageId;
const hrefOf = (r: SearchResult) => `/c/${r.conversationId}${targetOf(r) ? `?m=${targetOf(r)}` : ""}`;
const optionId = (i: number) => `search-option-${i}`;

export function SidebarSearch() {
  const router = useRouter();
  const apple = useAppleKeys();
  const input = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLDivElement>(null);
  const engine = useRef<ReturnType<typeof createSearch>>(null);
  const [text, setText] = useState("");
  const [state, setState] = useState<SearchState>(IDLE);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);

  useEffect(() => {
    const search = createSearch({
      search: api.searchConversations,
      onChange: (s) => {
        setState(s);
        setActive(0);
      },
    });
    engine.current = search;
    return () => search.dispose();
  }, []);

  // App-wide shortcuts.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const shortcut = shortcutOf(e);
      if (shortcut === "focus-search") {
        e.preventDefault();
        input.current?.focus();
        input.current?.select();
        setOpen(true);
      } else if (shortcut === "new-chat") {
        e.preventDefault();
        requestNewChat();
        router.push("/?new=1");
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [router]);

  useEffect(() => {
    if (open) list.current?.querySelector(`#${optionId(active)}`)?.scrollIntoView({ block: "nearest" });
  }, [active, open]);

  const change = (value: string) => {
    setText(value);
    setOpen(true);
    engine.current?.setQuery(value);
  };

  const results = state.results;
  const query = text.trim();
  const showList = open && query !== "";
  // The real link's click: the same navigation as a pointer, and the mobile drawer closes.
  const openActive = () => document.getElementById(optionId(active))?.click();

  return (
    <div
      className="relative px-3 pb-2"
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOpen(false);
      }}
    >
      <div className="relative">
        <svg
          viewBox="0 0 20 20"
          className="pointer-events-none absolute top-1/2 left-2.5 h-4 w-4 -translate-y-1/2 text-zinc-400"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.8"
          aria-hidden
        >
          <circle cx="8.5" cy="8.5" r="5" />
          <path d="M12.5 12.5L16.5 16.5" strokeLinecap="round" />
        </svg>
        <input
          ref={input}
          type="search"
          data-testid="search-input"
          role="combobox"
          aria-label="Search chats"
          aria-expanded={showList}
          aria-controls="search-results"
          aria-autocomplete="list"
          aria-activedescendant={showList && results.length > 0 ? optionId(active) : undefined}
          title={`Search chats (${shortcutLabel("focus-search", apple)})`}
          placeholder="Search chats"
          maxLength={MAX_QUERY_CHARS}
          autoComplete="off"
          spellCheck={false}
          value={text}
          onChange={(e) => change(e.target.value)}
          onFocus={() => setOpen(true)}
          onKeyDown={(e) => {
            if (e.nativeEvent.isComposing) return;
            if (e.key === "ArrowDown" || e.key === "ArrowUp") {
              e.preventDefault();
              if (!results.length) return;
              setOpen(true);
              const step = e.key === "ArrowDown" ? 1 : -1;
              setActive((i) => (i + step + results.length) % results.length);
            } else if (e.key === "Enter") {
              e.preventDefault();
              if (showList && results.length) openActive();
            } else if (e.key === "Escape") {
              // Ours: Esc here must not stop a reply or close the drawer.
              e.preventDefault();
              e.stopPropagation();
              if (showList) setOpen(false);
              else if (text) change("");
              else input.current?.blur();
            }
          }}
          className="w-full rounded-lg border border-zinc-200 bg-white py-1.5 pr-14 pl-8 text-sm outline-none placeholder:text-zinc-400 focus:border-clay-500 focus-visible:outline-none dark:border-zinc-700 dark:bg-zinc-950 dark:placeholder:text-zinc-500 [&::-webkit-search-cancel-button]:hidden"
        />
        <span className="pointer-events-none absolute top-1/2 right-2 -translate-y-1/2">
          {state.status === "loading" ? (
            <svg
              data-testid="search-spinner"
              role="status"
              aria-label="Searching"
              viewBox="0 0 20 20"
              className="tool-spinner h-4 w-4 text-zinc-400"
              fill="none"
              stroke="currentColor"
              strokeWidth="2"
            >
              <path d="M10 3a7 7 0 017 7" strokeLinecap="round" />
            </svg>
          ) : (
            <kbd className="hidden rounded border border-zinc-200 px-1 font-sans text-[10px] leading-4 text-zinc-400 md:inline dark:border-zinc-700">
              {shortcutLabel("focus-search", apple)}
            </kbd>
          )}
        </span>
      </div>
      {showList && (
        <div
          ref={list}
          id="search-results"
          role="listbox"
          aria-label={`Chats matching ${query}`}
          data-testid="search-results"
          data-status={state.status}
          className="absolute inset-x-2 top-full z-30 mt-0.5 max-h-[min(28rem,70dvh)] overflow-y-auto rounded-xl border border-zinc-200 bg-white p-1 shadow-lg dark:border-zinc-700 dark:bg-zinc-900"
        >
          {results.map((r, i) => (
            <Link
              key={r.conversationId}
              id={optionId(i)}
              role="option"
              aria-selected={i === active}
              href={hrefOf(r)}
              prefetch={false}
              data-testid="search-result"
              data-conversation-id={r.conversationId}
              data-message-id={targetOf(r) ?? undefined}
              tabIndex={-1}
              onMouseMove={() => setActive(i)}
              onClick={() => setOpen(false)}
              className={`block rounded-lg px-2.5 py-2 text-sm aria-selected:bg-zinc-100 dark:aria-selected:bg-zinc-800 ${state.status === "loading" ? "opacity-60" : ""}`}
            >
              <span data-testid="search-title" className="block truncate font-medium text-zinc-900 dark:text-zinc-100">
                {r.titleMatch ? <SearchSnippet segments={r.titleMatch} /> : r.title}
              </span>
              {r.snippets.map((s) => (
                <span
                  key={s.messageId}
                  data-testid="search-snippet"
                  data-message-id={s.messageId}
                  className="mt-0.5 line-clamp-2 text-xs leading-5 break-words text-zinc-600 dark:text-zinc-400"
                >
                  <span className="font-medium text-zinc-700 dark:text-zinc-300">{s.role === "user" ? "You: " : "Claude: "}</span>
                  <SearchSnippet segments={s.snippet} />
                </span>
              ))}
            </Link>
          ))}
          {state.status === "done" && results.length === 0 && (
            <p data-testid="search-empty" className="px-2.5 py-3 text-sm text-zinc-500 dark:text-zinc-400">
              No chats match “{state.query}”.
            </p>
          )}
          {state.status === "error" && (
            <p role="alert" className="px-2.5 py-3 text-sm text-red-700 dark:text-red-300">
              {state.error}
            </p>
          )}
          {state.status === "loading" && results.length === 0 && <p className="px-2.5 py-3 text-sm text-zinc-500 dark:text-zinc-400">Searching…</p>}
          <p className="border-t border-zinc-100 px-2.5 pt-1.5 pb-1 text-[11px] text-zinc-600 dark:border-zinc-800 dark:text-zinc-400">
            ↑↓ move · Enter open · Esc close
          </p>
        </div>
      )}
    </div>
  );
}
