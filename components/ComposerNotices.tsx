// What the composer says above its box: the last send's error, and a file
// that could not be attached. Each can be dismissed.
type Props = { error: string | null; onDismissError: () => void; notice: string | null | undefined; onDismissNotice: () => void };

export function ComposerNotices({ error, onDismissError, notice, onDismissNotice }: Props) {
  return (
    <>
      {error && (
        <div
          role="alert"
          data-testid="composer-error"
          className="mb-2 flex items-start gap-2 rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950/50 dark:text-red-200"
        >
          <span className="flex-1" data-testid="composer-error-message">
            {error}
          </span>
          <button
            type="button"
            onClick={onDismissError}
            aria-label="Dismiss error"
            className="rounded p-0.5 text-red-700 hover:bg-red-100 dark:text-red-300 dark:hover:bg-red-900"
          >
            <svg viewBox="0 0 20 20" className="h-4 w-4" fill="none" stroke="currentColor" strokeWidth="1.8" aria-hidden>
              <path d="M5 5l10 10M15 5L5 15" strokeLinecap="round" />
            </svg>
          </button>
        </div>
      )}
      {notice && (
        <div
          role="alert"
          data-testid="attach-error"
          className="mb-2 flex items-start gap-2 rounded-lg border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950/50 dark:text-amber-100"
        >
          <span className="flex-1">{notice}</span>
          <button type="button" onClick={onDismissNotice} aria-label="Dismiss" className="rounded p-0.5 hover:bg-amber-100 dark:hover:bg-amber-900">
            <svg viewBox="0 0 20 20" className="h-4 w-4" fill="none" stroke="currentColor" strokeWidth="1.8" aria-hidden>
              <path d="M5 5l10 10M15 5L5 15" strokeLinecap="round" />
            </svg>
          </button>
        </div>
      )}
    </>
  );
}
