"use client";
// "‹ 2/3 ›" on a message that has other versions (a regenerated reply) or
// branches (an edited message): steps to the neighbour version.
import { memo } from "react";
import type { MessageVersions } from "@/lib/chat/types";
import { neighbourVersion, versionLabel } from "@/lib/client/versions";

type Props = {
  versions: MessageVersions;
  /** While a reply generates or another switch is under way. */
  disabled: boolean;
  onSelect?: (id: string) => void;
  kind: "reply" | "message";
};

const arrow =
  "inline-flex h-7 w-6 items-center justify-center rounded-md text-zinc-500 hover:bg-zinc-100 hover:text-zinc-900 disabled:cursor-default disabled:opacity-40 disabled:hover:bg-transparent disabled:hover:text-zinc-500 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100";

export const VersionPager = memo(function VersionPager({ versions, disabled, onSelect, kind }: Props) {
  const older = neighbourVersion(versions, -1);
  const newer = neighbourVersion(versions, 1);
  const noun = kind === "reply" ? "version" : "edit";
  return (
    <div
      role="group"
      aria-label={kind === "reply" ? "Versions of this reply" : "Edits of this message"}
      data-testid="version-pager"
      className="flex items-center text-xs tabular-nums text-zinc-600 dark:text-zinc-400"
    >
      <button
        type="button"
        data-testid="version-prev"
        aria-label={`Previous ${noun}`}
        title={`Previous ${noun}`}
        disabled={disabled || !older || !onSelect}
        onClick={() => older && onSelect?.(older)}
        className={arrow}
      >
        <svg viewBox="0 0 20 20" className="h-3.5 w-3.5" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden>
          <path d="M12.5 4.5L7 10l5.5 5.5" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      </button>
      <span data-testid="version-label" aria-hidden className="min-w-[2.25rem] text-center select-none">
        {versionLabel(versions)}
      </span>
      <span className="sr-only">{`${noun[0].toUpperCase()}${noun.slice(1)} ${versions.index + 1} of ${versions.count}`}</span>
      <button
        type="button"
        data-testid="version-next"
        aria-label={`Next ${noun}`}
        title={`Next ${noun}`}
        disabled={disabled || !newer || !onSelect}
        onClick={() => newer && onSelect?.(newer)}
        className={arrow}
      >
        <svg viewBox="0 0 20 20" className="h-3.5 w-3.5" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden>
          <path d="M7.5 4.5L13 10l-5.5 5.5" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      </button>
    </div>
  );
});
