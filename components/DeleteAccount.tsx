"use client";
// Settings → Delete account (accounts only): a dialog that names what goes
// and asks for the password. Afterwards the browser leaves for the start page,
// which says the account was deleted (PageNotice).
import { useState } from "react";
import { describeError } from "@/lib/client/api";
import { deleteAccount } from "@/lib/auth/client";
import { ConfirmDialog } from "./ConfirmDialog";
import { SettingsCard } from "./SettingsCard";
import type { DataSummary } from "@/lib/chat/data-summary";

const plural = (n: number, one: string) => `${n.toLocaleString()} ${n === 1 ? one : `${one}s`}`;

export function DeleteAccount({ email, summary }: { email: string; summary: DataSummary }) {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await deleteAccount(password);
      // A full load: every server-rendered part must see that the session is gone.
      // eslint-disable-next-line @next/next/no-location-assign-relative-destination
      window.location.assign("/?notice=account-deleted");
    } catch (e) {
      setError(describeError(e));
      setBusy(false);
    }
  };

  return (
    <SettingsCard id="delete-account" title="Delete account" testId="delete-account-settings">
      <div className="flex flex-wrap items-center justify-between gap-3 px-4 py-4">
        <p className="max-w-sm text-sm text-zinc-600 dark:text-zinc-400">
          Deletes your account, your conversations, your files and your settings. This cannot be undone.
        </p>
        <button
          type="button"
          data-testid="delete-account-open"
          onClick={() => {
            setPassword("");
            setError(null);
            setOpen(true);
          }}
          className="rounded-lg bg-red-700 px-3 py-1.5 text-sm font-medium text-white shadow-sm hover:bg-red-800"
        >
          Delete account…
        </button>
      </div>
      <ConfirmDialog
        open={open}
        testId="delete-account-dialog"
        title="Delete your account?"
        confirmLabel="Delete account"
        busyLabel="Deleting…"
        busy={busy}
        canConfirm={password.length > 0}
        error={error}
        onConfirm={confirm}
        onClose={() => setOpen(false)}
      >
        <p>
          This deletes the account <strong className="break-all text-zinc-900 dark:text-zinc-100">{email}</strong>, {plural(summary.conversations, "conversation")}
          {summary.files > 0 ? `, ${plural(summary.files, "file")}` : ""} and your settings, and signs you out everywhere. It cannot be undone.
        </p>
        <label className="block font-medium text-zinc-900 dark:text-zinc-100">
          Type your password to confirm
          <input
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            data-testid="delete-account-password"
            className="mt-1 block w-full rounded-lg border border-zinc-300 bg-white px-3 py-1.5 text-sm font-normal dark:border-zinc-700 dark:bg-zinc-950"
          />
        </label>
      </ConfirmDialog>
    </SettingsCard>
  );
}
