"use client";
// The queue of follow-ups under the reply (docs/PROTOCOL.md §3.8): what the
// user sent while Claude was replying, next first, each with Edit and
// Remove. It says when it waits for the user: the last reply was stopped,
// interrupted or failed, so nothing starts until a reply ends complete. An
// edit still open when its message leaves the queue (it started, or another
// tab removed it) is kept, to be queued again or discarded.
import { useEffect, useRef, useState } from "react";
import { describeError } from "@/lib/client/api";
import type { QueuedMessage } from "@/lib/client/queue";
import type { Queue } from "./useQueue";

const small =
  "rounded-md px-2 py-1 text-xs font-medium text-zinc-600 hover:bg-zinc-200 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-clay-600 disabled:opacity-50 dark:text-zinc-400 dark:hover:bg-zinc-700 dark:hover:text-zinc-100";

type ItemProps = { item: QueuedMessage; queue: Queue; onError: (message: string | null) => void; onDraft: (id: string, draft: string | null) => void };

function Item({ item, queue, onError, onDraft }: ItemProps) {
  const [draft, setDraftState] = useState<string | null>(null);
  const setDraft = (d: string | null) => {
    setDraftState(d);
    onDraft(item.id, d);
  };
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

/** Edits still open, by message id, and what they were edits of. */
type OpenEdits = Map<string, { draft: string; original: string }>;

/** An edit whose message left the queue before it was saved: kept until queued again or discarded. */
function LeftEdit({ text, onQueue, onDiscard }: { text: string; onQueue: () => Promise<void>; onDiscard: () => void }) {
  const [busy, setBusy] = useState(false);
  return (
    <li data-testid="queued-left-edit" className="rounded-xl border border-amber-300 bg-amber-50 px-3 py-2 dark:border-amber-800 dark:bg-amber-950/40">
      <p className="text-xs text-amber-900 dark:text-amber-200">This message left the queue (sent or removed) before your edit was saved. Your edit:</p>
      <p data-testid="queued-left-text" className="mt-1 text-sm break-words whitespace-pre-wrap text-zinc-800 dark:text-zinc-200">
        {text}
      </p>
      <div className="mt-1 flex justify-end gap-1">
        <button type="button" className={small} onClick={onDiscard} disabled={busy}>
          Discard
        </button>
        <button
          type="button"
          data-testid="queued-left-queue"
          className={small}
          disabled={busy}
          onClick={() => {
            setBusy(true);
            void onQueue().finally(() => setBusy(false));
          }}
        >
          Queue it
        </button>
      </div>
    </li>
  );
}

export function QueuedMessages({ queue, held }: { queue: Queue; held: boolean }) {
  const [error, setError] = useState<string | null>(null);
  const edits = useRef<OpenEdits>(new Map());
  const [left, setLeft] = useState<{ key: number; text: string }[]>([]);
  const nextKey = useRef(0);
  const onDraft = (id: string, draft: string | null) => {
    const item = queue.items.find((q) => q.id === id);
    if (draft === null || !item) edits.current.delete(id);
    else edits.current.set(id, { draft, original: item.content });
  };
  // A message gone with an edit open: the edit stays (unless it changed nothing).
  useEffect(() => {
    const present = new Set(queue.items.map((q) => q.id));
    for (const [id, e] of edits.current) {
      if (present.has(id)) continue;
      edits.current.delete(id);
      if (e.draft.trim() !== "" && e.draft !== e.original) {
        const key = nextKey.current++;
        setLeft((l) => [...l, { key, text: e.draft }]);
      }
    }
  }, [queue.items]);
  const drop = (key: number) => setLeft((l) => l.filter((x) => x.key !== key));
  const requeue = async (key: number, text: string) => {
    setError(null);
    try {
      await queue.add(text);
      drop(key);
    } catch (e) {
      setError(describeError(e));
    }
  };
  if (queue.items.length === 0 && left.length === 0) return null;
  return (
    <section data-testid="queue" data-held={held || undefined} aria-label="Queued messages" className="flex flex-col gap-2">
      {queue.items.length > 0 && (
        <p className="text-xs font-medium text-zinc-500 dark:text-zinc-400" role="status">
          {held
            ? `Queue paused: the last reply didn't finish. Continue it, or send, and the ${queue.items.length === 1 ? "queued message goes" : "queue goes on"} after.`
            : `Queued · ${queue.items.length === 1 ? "sends" : "sent one by one"} when Claude finishes`}
        </p>
      )}
      <ol className="flex flex-col gap-2">
        {queue.items.map((item) => (
          <Item key={item.id} item={item} queue={queue} onError={setError} onDraft={onDraft} />
        ))}
        {left.map((l) => (
          <LeftEdit key={l.key} text={l.text} onQueue={() => requeue(l.key, l.text)} onDiscard={() => drop(l.key)} />
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
