"use client";
// The sidebar's account area: a guest is offered to save their chats; an
// account shows its email and can sign out (a new guest starts after).
import Link from "next/link";
import { useState } from "react";
import { describeError } from "@/lib/client/api";
import { signOut, type AccountView } from "@/lib/auth/client";

export function AccountArea({ account }: { account: AccountView | null }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!account) return null;

  const leave = async () => {
    setBusy(true);
    setError(null);
    try {
      await signOut();
      // A full load on purpose: every server-rendered part must see the new
      // session. The page then says the sign-out happened (PageNotice).
      // eslint-disable-next-line @next/next/no-location-assign-relative-destination
      window.location.assign("/?notice=signed-out");
    } catch (e) {
      setError(describeError(e));
      setBusy(false);
    }
  };

  if (account.guest) {
    return (
      <div data-testid="account-area" data-account="guest" className="px-3 py-2 text-sm">
        <p className="flex items-center gap-2 font-medium text-zinc-700 dark:text-zinc-300">
          <span className="flex h-6 w-6 items-center justify-center rounded-full bg-zinc-200 text-xs text-zinc-600 dark:bg-zinc-800 dark:text-zinc-400" aria-hidden>
            ?
          </span>
          Guest
        </p>
        <Link href="/signup" data-testid="signup-link" className="mt-1.5 block font-medium text-clay-700 hover:underline dark:text-clay-400">
          Save your chats — sign up
        </Link>
        <p className="mt-0.5 text-zinc-500 dark:text-zinc-400">
          or{" "}
          <Link href="/signin" data-testid="signin-link" className="underline underline-offset-2 hover:text-zinc-900 dark:hover:text-zinc-100">
            sign in
          </Link>
        </p>
      </div>
    );
  }

  return (
    <div data-testid="account-area" data-account="user" className="px-3 py-2 text-sm">
      <div className="flex items-center gap-2">
        <span className="flex h-6 w-6 shrink-0 items-center justify-center rounded-full bg-clay-600 text-xs font-medium text-white uppercase" aria-hidden>
          {account.email.charAt(0)}
        </span>
        <span className="min-w-0 flex-1 truncate text-zinc-700 dark:text-zinc-300" title={account.email} data-testid="account-email-label">
          {account.email}
        </span>
        <button
          type="button"
          onClick={leave}
          disabled={busy}
          data-testid="sign-out"
          className="shrink-0 rounded-md px-2 py-1 text-zinc-600 hover:bg-zinc-200 hover:text-zinc-900 disabled:opacity-60 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
        >
          {busy ? "Signing out…" : "Sign out"}
        </button>
      </div>
      {error && (
        <p role="alert" className="mt-1 text-red-700 dark:text-red-400">
          Could not sign out: {error}
        </p>
      )}
    </div>
  );
}
