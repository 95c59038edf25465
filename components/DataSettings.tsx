"use client";
// Settings → Your conversations: every conversation in one file (Markdown or
// JSON, streamed by GET /api/export), and deleting them all behind a dialog
// that says what goes (running replies are stopped first, files deleted).
import { useRouter } from "next/navigation";
import { useState } from "react";
import * as api from "@/lib/client/api";
import type { DataSummary } from "@/lib/chat/data-summary";
import { ConfirmDialog } from "./ConfirmDialog";
import { SettingsCard } from "./SettingsCard";

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`;
const secondary =
  "inline-flex items-center rounded-lg border border-zinc-300 bg-white px-3 py-1.5 text-sm font-medium text-zinc-700 shadow-sm hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-200 dark:hover:bg-zinc-800";

export function DataSettings({ summary }: { summary: DataSummary }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<number | null>(null);
  const [count, setCount] = useState(summary.conversations);

  const deleteAll = async () => {
    setBusy(true);
    setError(null);
    try {
      const deleted = await api.deleteAllConversations();
      setDone(deleted);
      setCount(0);
      setOpen(false);
      router.refresh(); // the sidebar's list
    } catch (e) {
      setError(api.describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <SettingsCard id="data" title="Your conversations" testId="data-settings">
      <div className="flex flex-wrap items-center justify-between gap-3 px-4 py-4">
        <div>
          <p className="font-medium">Export all</p>
          <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">Every conversation in one file, with its branches and tool calls.</p>
        </div>
        <div className="flex gap-2">
          <a href="/api/export?format=markdown" download data-testid="export-all-markdown" className={secondary}>
            Markdown
          </a>
          <a href="/api/export?format=json" download data-testid="export-all-json" className={secondary}>
            JSON
          </a>
        </div>
      </div>
      <div className="flex flex-wrap items-center justify-between gap-3 border-t border-zinc-200 px-4 py-4 dark:border-zinc-800">
        <div>
          <p className="font-medium">Delete all conversations</p>
          <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400" data-testid="conversation-count">
            {count === 0 ? "You have no conversations." : `${plural(count, "conversation")}. This cannot be undone.`}
          </p>
        </div>
        <button
          type="button"
          data-testid="delete-all-open"
          disabled={count === 0}
          onClick={() => {
            setError(null);
            setOpen(true);
          }}
          className="rounded-lg border border-red-300 bg-white px-3 py-1.5 text-sm font-medium text-red-700 shadow-sm hover:bg-red-50 disabled:cursor-not-allowed disabled:opacity-50 dark:border-red-900 dark:bg-zinc-900 dark:text-red-400 dark:hover:bg-red-950"
        >
          Delete all…
        </button>
      </div>
      <p role="status" data-testid="data-status" className="px-4 text-sm not-empty:pb-4">
        {done !== null && <span className="text-emerald-700 dark:text-emerald-400">Deleted {plural(done, "conversation")}.</span>}
      </p>
      <ConfirmDialog
        open={open}
        testId="delete-all-dialog"
        title={count === 1 ? "Delete your only conversation?" : `Delete all ${plural(count, "conversation")}?`}
        confirmLabel="Delete all"
        busyLabel="Deleting…"
        busy={busy}
        error={error}
        onConfirm={deleteAll}
        onClose={() => setOpen(false)}
      >
        <p>
          This deletes {plural(count, "conversation")} with every message, version and branch
          {summary.files > 0 ? `, and ${plural(summary.files, "attached file")}` : ""}. It cannot be undone.
        </p>
        {summary.running > 0 && <p>{plural(summary.running, "reply", "replies")} still being written will be stopped first.</p>}
        <p>Export all first if you want to keep a copy.</p>
      </ConfirmDialog>
    </SettingsCard>
  );
}
