"use client";
// The "⋯" menu of a conversation in the sidebar: export as Markdown or JSON
// (plain download links: the server names the file). Keyboard: the menu
// opens on its first item, ↑/↓ move, Esc closes back to the button, Tab
// or a click elsewhere closes it. Below the items, what the conversation has
// cost so far (every reply, docs/API.md "Usage and cost"), read when it opens.
import { useEffect, useRef, useState } from "react";
import { exportUrl, getConversationUsage, type ExportFormat } from "@/lib/client/api";
import { formatAmount, formatTokens } from "@/lib/client/usage-format";
import type { UsageTotals } from "@/lib/usage/report";

type Props = { conversationId: string; title: string; buttonClassName: string };

const ITEMS: { format: ExportFormat; label: string; hint: string }[] = [
  { format: "markdown", label: "Export as Markdown", hint: ".md" },
  { format: "json", label: "Export as JSON", hint: ".json" },
];

export function ConversationMenu({ conversationId, title, buttonClassName }: Props) {
  const [open, setOpen] = useState(false);
  const [usage, setUsage] = useState<UsageTotals | "failed">();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menuId = `menu-${conversationId}`;

  const items = () => Array.from(root.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []);
  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };

  useEffect(() => {
    if (!open) return;
    const ac = new AbortController();
    getConversationUsage(conversationId, ac.signal).then(setUsage, () => !ac.signal.aborted && setUsage("failed"));
    return () => ac.abort();
  }, [open, conversationId]);

  useEffect(() => {
    if (!open) return;
    const first = items()[0];
    first?.focus();
    first?.closest('[role="menu"]')?.scrollIntoView({ block: "nearest" });
    const onPointer = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", onPointer);
    return () => document.removeEventListener("pointerdown", onPointer);
  }, [open]);

  return (
    <div ref={root} className="relative">
      <button
        type="button"
        ref={button}
        data-testid="conversation-menu-button"
        aria-label={`More actions for “${title}”`}
        title="More"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen((o) => !o)}
        className={buttonClassName}
      >
        <svg viewBox="0 0 20 20" className="h-4 w-4" fill="currentColor" aria-hidden>
          <circle cx="4.5" cy="10" r="1.5" />
          <circle cx="10" cy="10" r="1.5" />
          <circle cx="15.5" cy="10" r="1.5" />
        </svg>
      </button>
      {open && (
        <div
          id={menuId}
          role="menu"
          aria-label={`Actions for “${title}”`}
          data-testid="conversation-menu"
          onKeyDown={(e) => {
            const all = items();
            const at = all.indexOf(document.activeElement as HTMLElement);
            if (e.key === "ArrowDown" || e.key === "ArrowUp") {
              e.preventDefault();
              all[(at + (e.key === "ArrowDown" ? 1 : -1) + all.length) % all.length]?.focus();
            } else if (e.key === "Home" || e.key === "End") {
              e.preventDefault();
              all[e.key === "Home" ? 0 : all.length - 1]?.focus();
            } else if (e.key === "Escape") {
              e.preventDefault();
              e.stopPropagation();
              close(true);
            } else if (e.key === "Tab") {
              close(false);
            }
          }}
          className="absolute top-full right-0 z-30 mt-1 w-60 rounded-xl border border-zinc-200 bg-white p-1 text-sm shadow-lg dark:border-zinc-700 dark:bg-zinc-900"
        >
          {ITEMS.map((item) => (
            <a
              key={item.format}
              role="menuitem"
              tabIndex={-1}
              href={exportUrl(conversationId, item.format)}
              download
              data-testid={`export-${item.format}`}
              onClick={() => close(true)}
              className="flex items-center gap-2 rounded-lg px-2.5 py-2 text-zinc-800 outline-none hover:bg-zinc-100 focus:bg-zinc-100 dark:text-zinc-200 dark:hover:bg-zinc-800 dark:focus:bg-zinc-800"
            >
              <svg viewBox="0 0 20 20" className="h-4 w-4 text-zinc-500" fill="none" stroke="currentColor" strokeWidth="1.7" aria-hidden>
                <path d="M10 3.5v9M6 9l4 4 4-4M4 16.5h12" strokeLinecap="round" strokeLinejoin="round" />
              </svg>
              <span className="flex-1 whitespace-nowrap">{item.label}</span>
              <span className="text-xs text-zinc-400">{item.hint}</span>
            </a>
          ))}
          <div
            data-testid="conversation-usage"
            className="mt-1 border-t border-zinc-100 px-2.5 pt-2 pb-1.5 text-xs text-zinc-500 dark:border-zinc-800 dark:text-zinc-400"
          >
            {usage === undefined ? "Usage…" : usage === "failed" ? "Usage unavailable" : <ConversationUsage usage={usage} />}
          </div>
        </div>
      )}
    </div>
  );
}

function ConversationUsage({ usage }: { usage: UsageTotals }) {
  if (usage.replies === 0) return <>No usage yet</>;
  const input = usage.inputTokens + usage.cacheReadInputTokens + usage.cacheCreationInputTokens;
  const priced = usage.replies - usage.unpricedReplies;
  return (
    <>
      <div className="flex justify-between gap-2">
        <span>
          {formatTokens(input)} in · {formatTokens(usage.outputTokens)} out
        </span>
        <span className="font-medium text-zinc-700 tabular-nums dark:text-zinc-200">
          {priced > 0 ? formatAmount(usage.cost.amount ?? 0, usage.cost.currency) : "cost unknown"}
        </span>
      </div>
      {usage.unpricedReplies > 0 && priced > 0 && (
        <div className="mt-0.5">
          + {usage.unpricedReplies} {usage.unpricedReplies === 1 ? "reply" : "replies"} of unknown cost
        </div>
      )}
    </>
  );
}
