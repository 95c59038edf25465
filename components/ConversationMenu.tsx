"use client";
// The "⋯" menu of a conversation in the sidebar (WAI-ARIA menu button
// pattern): Rename, Pin/Unpin, Archive/Unarchive, Share (ShareDialog), the exports (plain download
// links: the server names the file) and Delete. Keyboard: it opens on its
// first item, ↑/↓/Home/End move, Esc closes back to where it was opened from,
// Tab or a click elsewhere closes it. The row opens it too (Shift+F10, the
// Menu key: ConversationItem), so it is controlled. Below the items, what the
// conversation has cost so far (docs/API.md "Usage and cost"), read when it opens.
import { useEffect, useRef, useState, type ReactNode, type RefObject } from "react";
import { exportUrl, getConversationUsage, type ExportFormat } from "@/lib/client/api";
import { formatAmount, formatTokens } from "@/lib/client/usage-format";
import type { UsageTotals } from "@/lib/usage/report";

export type MenuAction = "rename" | "pin" | "archive" | "share" | "delete";

type Props = {
  conversationId: string;
  title: string;
  pinned: boolean;
  archived: boolean;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onAction: (action: MenuAction) => void;
  buttonRef: RefObject<HTMLButtonElement | null>;
  buttonClassName: string;
};

const EXPORTS: { format: ExportFormat; label: string; hint: string }[] = [
  { format: "markdown", label: "Export as Markdown", hint: ".md" },
  { format: "json", label: "Export as JSON", hint: ".json" },
];

const itemClass =
  "flex w-full items-center gap-2 rounded-lg px-2.5 py-2 text-left text-zinc-800 outline-none hover:bg-zinc-100 focus:bg-zinc-100 dark:text-zinc-200 dark:hover:bg-zinc-800 dark:focus:bg-zinc-800";

const ICONS: Record<MenuAction | "export", ReactNode> = {
  rename: <path d="M13.5 3.5l3 3L7 16H4v-3l9.5-9.5z" strokeLinejoin="round" />,
  pin: <path d="M7 3h6l-1 5 3 3H5l3-3-1-5zM10 11v6" strokeLinejoin="round" strokeLinecap="round" />,
  archive: <path d="M3 4h14v3H3zM4.5 7v9h11V7M8 10.5h4" strokeLinejoin="round" strokeLinecap="round" />,
  share: (
    <path d="M8.5 11.5a3 3 0 004.2 0l2.8-2.8a3 3 0 00-4.2-4.2l-1 1M11.5 8.5a3 3 0 00-4.2 0l-2.8 2.8a3 3 0 004.2 4.2l1-1" strokeLinecap="round" strokeLinejoin="round" />
  ),
  delete: <path d="M4 6h12M8 6V4h4v2M6 6l1 10h6l1-10" strokeLinecap="round" strokeLinejoin="round" />,
  export: <path d="M10 3.5v9M6 9l4 4 4-4M4 16.5h12" strokeLinecap="round" strokeLinejoin="round" />,
};

const Icon = ({ of }: { of: keyof typeof ICONS }) => (
  <svg viewBox="0 0 20 20" className="h-4 w-4 shrink-0 text-zinc-500 dark:text-zinc-400" fill="none" stroke="currentColor" strokeWidth="1.7" aria-hidden>
    {ICONS[of]}
  </svg>
);

export function ConversationMenu({ conversationId, title, pinned, archived, open, onOpenChange, onAction, buttonRef, buttonClassName }: Props) {
  const [usage, setUsage] = useState<UsageTotals | "failed">();
  const root = useRef<HTMLDivElement>(null);
  // Where focus was when the menu opened (the button, or the row's link).
  const opener = useRef<HTMLElement | null>(null);
  const menuId = `menu-${conversationId}`;

  const items = () => Array.from(root.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []);
  const close = (refocus: boolean) => {
    onOpenChange(false);
    if (refocus) (opener.current?.isConnected ? opener.current : buttonRef.current)?.focus();
  };
  const act = (action: MenuAction) => {
    onOpenChange(false);
    onAction(action);
  };

  useEffect(() => {
    if (!open) return;
    const ac = new AbortController();
    getConversationUsage(conversationId, ac.signal).then(setUsage, () => !ac.signal.aborted && setUsage("failed"));
    return () => ac.abort();
  }, [open, conversationId]);

  useEffect(() => {
    if (!open) return;
    opener.current = document.activeElement as HTMLElement | null;
    const first = items()[0];
    first?.focus();
    first?.closest('[role="menu"]')?.scrollIntoView({ block: "nearest" });
    const onPointer = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) onOpenChange(false);
    };
    document.addEventListener("pointerdown", onPointer);
    return () => document.removeEventListener("pointerdown", onPointer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per opening
  }, [open]);

  return (
    <div ref={root} className="relative">
      <button
        type="button"
        ref={buttonRef}
        tabIndex={-1}
        data-testid="conversation-menu-button"
        aria-label={`More actions for “${title}”`}
        title="More"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => onOpenChange(!open)}
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
            e.stopPropagation(); // the row's own keys (arrows between rows) stay out of the menu
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
              close(true);
            } else if (e.key === "Tab") {
              close(false);
            }
          }}
          className="absolute top-full right-0 z-30 mt-1 w-60 rounded-xl border border-zinc-200 bg-white p-1 text-sm shadow-lg dark:border-zinc-700 dark:bg-zinc-900"
        >
          <button type="button" role="menuitem" tabIndex={-1} data-testid="menu-rename" onClick={() => act("rename")} className={itemClass}>
            <Icon of="rename" />
            Rename
          </button>
          <button type="button" role="menuitem" tabIndex={-1} data-testid="menu-pin" onClick={() => act("pin")} className={itemClass}>
            <Icon of="pin" />
            {pinned ? "Unpin" : "Pin"}
          </button>
          <button type="button" role="menuitem" tabIndex={-1} data-testid="menu-archive" onClick={() => act("archive")} className={itemClass}>
            <Icon of="archive" />
            {archived ? "Unarchive" : "Archive"}
          </button>
          <button type="button" role="menuitem" tabIndex={-1} data-testid="menu-share" onClick={() => act("share")} className={itemClass}>
            <Icon of="share" />
            Share…
          </button>
          <div role="separator" className="my-1 border-t border-zinc-100 dark:border-zinc-800" />
          {EXPORTS.map((item) => (
            <a
              key={item.format}
              role="menuitem"
              tabIndex={-1}
              href={exportUrl(conversationId, item.format)}
              download
              data-testid={`export-${item.format}`}
              onClick={() => close(true)}
              className={itemClass}
            >
              <Icon of="export" />
              <span className="flex-1 whitespace-nowrap">{item.label}</span>
              <span className="text-xs text-zinc-500 dark:text-zinc-400">{item.hint}</span>
            </a>
          ))}
          <div role="separator" className="my-1 border-t border-zinc-100 dark:border-zinc-800" />
          <button
            type="button"
            role="menuitem"
            tabIndex={-1}
            data-testid="menu-delete"
            onClick={() => act("delete")}
            className={`${itemClass} text-red-700! dark:text-red-400!`}
          >
            <Icon of="delete" />
            Delete
          </button>
          <div
            data-testid="conversation-usage"
            className="mt-1 border-t border-zinc-100 px-2.5 pt-2 pb-1.5 text-xs text-zinc-600 dark:border-zinc-800 dark:text-zinc-400"
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
