"use client";
// Shown while the reader is scrolled up from a growing reply (useFollowScroll):
// back to the bottom, following the reply again. Bottom-centred, just above the composer.
export function JumpToLatest({ onClick }: { onClick: () => void }) {
  return (
    <button
      type="button"
      data-testid="jump-to-latest"
      onClick={onClick}
      className="absolute bottom-full left-1/2 z-10 mb-2 inline-flex -translate-x-1/2 items-center gap-1.5 rounded-full border border-zinc-300 bg-white px-3 py-1.5 text-sm font-medium text-zinc-700 shadow-md hover:bg-zinc-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-clay-600 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-200 dark:hover:bg-zinc-800"
    >
      <svg viewBox="0 0 20 20" className="h-4 w-4" fill="none" stroke="currentColor" strokeWidth="1.8" aria-hidden>
        <path d="M10 4v12M5 11l5 5 5-5" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      Jump to latest
    </button>
  );
}
