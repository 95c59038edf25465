"use client";
// The queue of follow-ups under the reply (docs/PROTOCOL.md §3.8): what the
// user sent while Claude was replying, next first, each with Edit and
// Remove. It says when it waits for the user: the last reply was stopped,
// interrupted or failed, so nothing starts until a reply ends complete.
import { useState } from "react";
import { describeError } from "@/lib/client/api";
import type { QueuedMessage } from "@/lib/client/queue";
import type { Queue } from "./useQueue";

const small =
  "rounded-md px-2 py-1 text-xs font-medium text-zinc-600 hover:bg-zinc-200 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-clay-600 disabled:opacity-50 dark:text-zinc-400 dark:hover:bg-zinc-700 dark:hover:text-zinc-100";

function Item({ item, queue, onError }: { item: QueuedMessage; queue: Queue; onError: (message: string | null) => void }) {
  const [draft, setDraft] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (what: () => Promise<void>) => {
    setBusy(true);
    onError(null);
    try {
      await what();
      setDraft(null);
    } catch (e) {
      onError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <li
      data-testid="queued-message"
      data-queued-id={item.id}
      className="rounded-xl border border-dashed border-zinc-300 bg-zinc-50 px-3 py-2 dark:border-zinc-700 dark:bg-zinc-900"
    >
      {draft === null ? (
        <div className="flex items-start gap-2">
          <p data-testid="queued-text" className="min-w-0 flex-1 text-sm break-words whitespace-pre-wrap text-zinc-800 dark:text-zinc-200">
            {item.content}
          </p>
          <button type="button" data-testid="queued-edit" className={small} disabled={busy} onClick={() => setDraft(item.content)} aria-label="Edit queued message">
            Edit
          </button>
          <button
            type="button"
            data-testid="queued-remove"
            className={small}
            disabled={busy}
            onClick={() => run(() => queue.remove(item.id))}
            aria-label="Remove queued message"
          >
            Remove
          </button>
        </div>
      ) : (
        <form
          className="flex flex-col gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => queue.edit(item.id, draft));
          }}
        >
          <label htmlFor={`queued-${item.id}`} className="sr-only">
            Queued message
          </label>
          <textarea
            id={`queued-${item.id}`}
            data-testid="queued-editor"
            autoFocus
            rows={2}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape") {
                e.preventDefault();
                e.stopPropagation(); // not the page's Esc (Stop)
                setDraft(null);
              }
            }}
            className="w-full resize-y rounded-lg border border-zinc-300 bg-white px-2 py-1.5 text-sm outline-none focus:border-clay-500 dark:border-zinc-700 dark:bg-zinc-950"
          />
          <div className="flex justify-end gap-1">
            <button type="button" className={small} onClick={() => setDraft(null)} disabled={busy}>
              Cancel
            </button>
            <button type="submit" data-testid="queued-save" className={small} disabled={busy || draft.trim() === ""}>
              Save
            </button>
          </div>
        </form>
      )}
    </li>
  );
}

export function QueuedMessages({ queue, held }: { queue: Queue; held: boolean }) {
  const [error, setError] = useState<string | null>(null);
  if (queue.items.length === 0) return null;
  return (
    <section data-testid="queue" data-held={held || undefined} aria-label="Queued messages" className="flex flex-col gap-2">
      <p className="text-xs font-medium text-zinc-500 dark:text-zinc-400" role="status">
        {held
          ? `Queue paused: the last reply didn't finish. Continue it, or send, and the ${queue.items.length === 1 ? "queued message goes" : "queue goes on"} after.`
          : `Queued · ${queue.items.length === 1 ? "sends" : "sent one by one"} when Claude finishes`}
      </p>
      <ol className="flex flex-col gap-2">
        {queue.items.map((item) => (
          <Item key={item.id} item={item} queue={queue} onError={setError} />
        ))}
      </ol>
      {error && (
        <p role="alert" className="text-xs text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </section>
  );
}
