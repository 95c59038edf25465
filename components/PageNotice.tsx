"use client";
// A one-time message on the page one lands on after leaving an account
// (`?notice=signed-out` from sign-out, `?notice=account-deleted` from
// Settings). The parameter is removed at once, so a reload or a shared link
// does not say it again. The live region is always there, so screen readers
// announce the message when it appears.
import { useEffect, useState } from "react";

const NOTICES: Record<string, string> = {
  "signed-out": "You're signed out. You can keep chatting as a guest, or sign in again.",
  "account-deleted": "Your account and all its data were deleted. You're signed out.",
};

export function PageNotice() {
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    const url = new URL(window.location.href);
    const key = url.searchParams.get("notice");
    if (!key) return;
    url.searchParams.delete("notice");
    window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
    setNotice(NOTICES[key] ?? null);
  }, []);

  return (
    <div role="status" className="pointer-events-none fixed inset-x-0 top-3 z-50 flex justify-center px-4">
      {notice && (
        <p
          data-testid="page-notice"
          className="pointer-events-auto flex max-w-md items-start gap-3 rounded-xl border border-zinc-200 bg-white px-4 py-3 text-sm text-zinc-800 shadow-lg dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
        >
          <span aria-hidden className="mt-0.5 text-emerald-700 dark:text-emerald-400">
            ✓
          </span>
          <span className="flex-1">{notice}</span>
          <button
            type="button"
            onClick={() => setNotice(null)}
            aria-label="Dismiss"
            data-testid="page-notice-dismiss"
            className="-m-1 rounded-md p-1 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
          >
            <span aria-hidden>✕</span>
          </button>
        </p>
      )}
    </div>
  );
}
