// Files as chips: a thumbnail for images, else an icon with name and size.
// In the composer each has a remove button; in a sent message each links to
// the file (served to its owner only).
import type { FilePart } from "@/lib/chat/types";
import { sizeLabel } from "@/lib/client/attachments";
import { fileUrl } from "@/lib/client/api";

type ChipView = { key: string; name: string; size: number; kind?: FilePart["kind"]; thumb?: string; pending?: boolean; href?: string };

export function AttachmentChips({
  items,
  onRemove,
  testId,
  className = "",
}: {
  items: ChipView[];
  onRemove?: (key: string) => void;
  testId: string;
  className?: string;
}) {
  if (!items.length) return null;
  return (
    <ul data-testid={testId} className={`flex flex-wrap gap-2 ${className}`} aria-label="Attached files">
      {items.map((c) => {
        const body = (
          <>
            {c.kind === "image" && c.thumb ? (
              // eslint-disable-next-line @next/next/no-img-element -- a user's own file, from the API or a local object URL
              <img src={c.thumb} alt="" className="h-10 w-10 shrink-0 rounded-md object-cover" />
            ) : (
              <span
                className="flex h-10 w-10 shrink-0 items-center justify-center rounded-md bg-zinc-200 text-[10px] font-semibold uppercase text-zinc-600 dark:bg-zinc-700 dark:text-zinc-300"
                aria-hidden
              >
                {c.kind === "pdf" ? "PDF" : c.kind === "image" ? "IMG" : "TXT"}
              </span>
            )}
            <span className="min-w-0">
              <span className="block max-w-[10rem] truncate text-sm font-medium text-zinc-800 dark:text-zinc-100" data-testid="attachment-name">
                {c.name}
              </span>
              <span className="block text-xs text-zinc-500 dark:text-zinc-400">{c.pending ? "Uploading…" : sizeLabel(c.size)}</span>
            </span>
          </>
        );
        return (
          <li
            key={c.key}
            data-testid="attachment-chip"
            data-kind={c.kind}
            data-pending={c.pending || undefined}
            className="flex items-center gap-2 rounded-xl border border-zinc-200 bg-white py-1 pl-1 pr-2 dark:border-zinc-700 dark:bg-zinc-900"
          >
            {c.href ? (
              <a href={c.href} target="_blank" rel="noopener noreferrer" className="flex items-center gap-2" title={`Open ${c.name}`}>
                {body}
              </a>
            ) : (
              body
            )}
            {onRemove && (
              <button
                type="button"
                onClick={() => onRemove(c.key)}
                aria-label={`Remove ${c.name}`}
                data-testid="attachment-remove"
                className="rounded p-0.5 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
              >
                <svg viewBox="0 0 20 20" className="h-4 w-4" fill="none" stroke="currentColor" strokeWidth="1.8" aria-hidden>
                  <path d="M5 5l10 10M15 5L5 15" strokeLinecap="round" />
                </svg>
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** A sent message's file parts as chips, each linking to the file (not a shared conversation's: no file id, no link). */
export function sentFileChips(parts: FilePart[]): ChipView[] {
  return parts.map((p, i) => ({
    key: p.fileId || `file-${i}`,
    name: p.name,
    size: p.size,
    kind: p.kind,
    thumb: p.kind === "image" && p.fileId ? fileUrl(p.fileId) : undefined,
    href: p.fileId ? fileUrl(p.fileId) : undefined,
  }));
}
