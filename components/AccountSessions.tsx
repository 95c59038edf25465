"use client";
// Settings → Account: who is signed in, and signing out every other browser
// (their sessions are deleted: they are refused on their next request).
import Link from "next/link";
import { useState } from "react";
import { describeError } from "@/lib/client/api";
import { revokeOtherSessions, type AccountView } from "@/lib/auth/client";
import { SettingsCard } from "./SettingsCard";

type Status = { kind: "idle" } | { kind: "busy" } | { kind: "done"; revoked: number } | { kind: "error"; message: string };

export function AccountSessions({ account, otherSessions }: { account: AccountView; otherSessions: number }) {
  const [others, setOthers] = useState(otherSessions);
  const [status, setStatus] = useState<Status>({ kind: "idle" });

  const revoke = async () => {
    setStatus({ kind: "busy" });
    try {
      const revoked = await revokeOtherSessions();
      setOthers(0);
      setStatus({ kind: "done", revoked });
    } catch (e) {
      setStatus({ kind: "error", message: describeError(e) });
    }
  };

  return (
    <SettingsCard id="account" title="Account" testId="account-settings">
      {account.guest ? (
        <div className="px-4 py-4">
          <p className="font-medium">You are using Tether as a guest</p>
          <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">
            Your chats live in this browser only.{" "}
            <Link href="/signup" className="font-medium text-clay-700 hover:underline dark:text-clay-400">
              Sign up
            </Link>{" "}
            to keep them and open them anywhere.
          </p>
        </div>
      ) : (
        <>
          <div className="px-4 pt-4">
            <p className="text-sm text-zinc-500 dark:text-zinc-400">Signed in as</p>
            <p className="font-medium break-all" data-testid="settings-email">
              {account.email}
            </p>
          </div>
          <div className="flex flex-wrap items-center justify-between gap-3 px-4 py-4">
            <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="other-sessions">
              {others === 0 ? "No other browser is signed in." : `Also signed in on ${others} other ${others === 1 ? "browser" : "browsers"}.`}
            </p>
            <button
              type="button"
              onClick={revoke}
              disabled={status.kind === "busy" || others === 0}
              data-testid="revoke-others"
              className="rounded-lg border border-zinc-300 bg-white px-3 py-1.5 text-sm font-medium text-zinc-700 shadow-sm hover:bg-zinc-50 disabled:cursor-not-allowed disabled:opacity-50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-200 dark:hover:bg-zinc-800"
            >
              {status.kind === "busy" ? "Signing out…" : "Sign out of all other sessions"}
            </button>
          </div>
          <p role="status" data-testid="sessions-status" className="-mt-1 px-4 text-sm not-empty:pb-4">
            {status.kind === "done" && (
              <span className="text-emerald-700 dark:text-emerald-400">
                {status.revoked === 0 ? "No other session was open." : `Signed out of ${status.revoked} other ${status.revoked === 1 ? "session" : "sessions"}.`}
              </span>
            )}
            {status.kind === "error" && <span className="text-red-700 dark:text-red-400">Could not sign out other sessions: {status.message}</span>}
          </p>
        </>
      )}
    </SettingsCard>
  );
}
