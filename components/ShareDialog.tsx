"use client";
// The owner's "Share" dialog (docs/PROTOCOL.md §3.7): create a public,
// read-only link to the conversation, copy it, or revoke it. Viewers of the
// link see its current path and watch replies live; they see nothing else of
// the owner, and a revoked link is gone at once, for open viewers too.
import { useEffect, useState } from "react";
import { useModalDialog } from "./useModalDialog";
import { describeError } from "@/lib/client/api";
import { copyText } from "@/lib/client/clipboard";
import { createShareLink, getShareLink, revokeShareLink, sharePageUrl, type ShareLink } from "@/lib/client/share";

type Props = { conversationId: string; title: string; open: boolean; onClose(): void };

const button =
  "rounded-lg px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-orange-600 disabled:cursor-not-allowed disabled:opacity-50";
const secondary = `${button} border border-zinc-300 bg-white text-zinc-700 hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-200 dark:hover:bg-zinc-800`;

export function ShareDialog({ conversationId, title, open, onClose }: Props) {
  const ref = useModalDialog(open);
  // undefined: not read yet; null: not shared.
  const [link, setLink] = useState<ShareLink | null | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    if (!open) return;
    setLink(undefined);
    setError(null);
    setCopied(false);
    let current = true;
    getShareLink(conversationId).then(
      (r) => current && setLink(r.share),
      (e) => current && setError(describeError(e)),
    );
    return () => {
      current = false;
    };
  }, [open, conversationId]);

  const act = async (what: () => Promise<ShareLink | null>) => {
    setBusy(true);
    setError(null);
    setCopied(false);
    try {
      setLink(await what());
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  const url = link ? sharePageUrl(link.token, window.location.origin) : "";
  const copy = async () => {
    setCopied(await copyText(url));
  };

  return (
    <dialog
      ref={ref}
      data-testid="share-dialog"
      aria-labelledby="share-dialog-title"
      onCancel={(e) => {
        e.preventDefault(); // Escape: closed through the parent's state
        onClose();
      }}
      className="m-auto w-[min(32rem,calc(100vw-2rem))] rounded-xl border border-zinc-200 bg-white p-0 text-zinc-900 shadow-xl backdrop:bg-black/50 dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-100"
    >
      <div className="p-5">
        <h2 id="share-dialog-title" className="text-lg font-semibold break-words">
          Share “{title}”
        </h2>
        <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-300">
          Anyone with the link can read this conversation and watch replies as they are written. They can&apos;t write in it, and they see nothing else of yours: not your
          other chats, your usage or your account. Claude&apos;s replies are shown as written, even where they quote a search of your chats.
        </p>
        {link === undefined && !error && <p className="mt-4 text-sm text-zinc-500 dark:text-zinc-400">Loading…</p>}
        {link && (
          <div className="mt-4 flex gap-2">
            <label htmlFor="share-url" className="sr-only">
              Link
            </label>
            <input
              id="share-url"
              data-testid="share-url"
              readOnly
              value={url}
              onFocus={(e) => e.currentTarget.select()}
              className="min-w-0 flex-1 rounded-lg border border-zinc-300 bg-zinc-50 px-2.5 py-1.5 font-mono text-xs text-zinc-800 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-200"
            />
            <button type="button" data-testid="share-copy" onClick={copy} className={`${button} bg-clay-600 text-white hover:bg-clay-700`}>
              {copied ? "Copied" : "Copy link"}
            </button>
          </div>
        )}
        <p role="status" className="sr-only">
          {copied ? "Link copied" : ""}
        </p>
        {error && (
          <p role="alert" className="mt-3 text-sm text-red-700 dark:text-red-400">
            {error}
          </p>
        )}
        <div className="mt-5 flex flex-wrap items-center justify-end gap-2">
          {link && (
            <button
              type="button"
              data-testid="share-revoke"
              disabled={busy}
              onClick={() => act(async () => (await revokeShareLink(conversationId), null))}
              className={`${secondary} mr-auto text-red-700! dark:text-red-400!`}
            >
              {busy ? "Working…" : "Stop sharing"}
            </button>
          )}
          <button type="button" data-testid="share-close" onClick={onClose} className={secondary}>
            {link ? "Done" : "Cancel"}
          </button>
          {link === null && (
            <button
              type="button"
              data-testid="share-create"
              disabled={busy}
              onClick={() => act(async () => (await createShareLink(conversationId)).share)}
              className={`${button} bg-clay-600 text-white hover:bg-clay-700`}
            >
              {busy ? "Creating…" : "Create link"}
            </button>
          )}
        </div>
      </div>
    </dialog>
  );
}
