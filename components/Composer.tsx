"use client";
// The message box: grows with its text, Enter sends, Shift+Enter adds a line.
// Never locked: while a reply generates one keeps typing, Enter (or Queue)
// queues the message to be sent when the reply ends (docs/PROTOCOL.md §3.8),
// and Send becomes Stop in the same place. Unsent
// text is kept per conversation (localStorage), so a reload or a detour does
// not lose it. Files come by the attach button, drag and drop, or paste (useAttachments).
import { useEffect, useRef, useState } from "react";
import type { FilePart } from "@/lib/chat/types";
import type { FileLimits } from "@/lib/client/attachments";
import { AttachmentChips } from "./AttachmentChips";
import { ComposerNotices } from "./ComposerNotices";
import { useAttachments } from "./useAttachments";
import { useAutosize } from "./useAutosize";
import { checkContent, lengthNotice } from "@/lib/client/content";
import { readDraft, writeDraft } from "@/lib/client/drafts";

type Props = {
  /** Whose draft this box holds (null: the new chat on "/"). */
  draftId: string | null;
  /** A reply generates in this conversation: nothing is sent meanwhile. */
  replying: boolean;
  /** Present while a reply generates: Stop in place of Send. */
  onStop?: () => void;
  stopping?: boolean;
  error: string | null;
  onDismissError: () => void;
  /** Resolves true once the server took the message; false restores the text. */
  onSend: (content: string, files: FilePart[]) => Promise<boolean>;
  /** While a reply generates: queues the text instead (resolves false to keep it in the box). */
  onQueue?: (content: string) => Promise<boolean>;
  /** The server's attachment limits (default: the server's defaults). */
  fileLimits?: FileLimits;
};

const MAX_HEIGHT_PX = 240;

// Whether focus goes back to the box when a reply ends: the user sent from it.
// Module-wide, because the first send of a new chat replaces this composer
// (the navigation to /c/:id) while the reply is still running.
let typingHere = false;

export function Composer({ draftId, replying, onStop, stopping, error, onDismissError, onSend, onQueue, fileLimits }: Props) {
  const [value, setValue] = useState("");
  const [sending, setSending] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  const blocked = replying || sending;
  const files = useAttachments(fileLimits);
  const picker = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const text = checkContent(value);
  // Files alone make a message; text still has its length limit.
  const check = text.ok || (text.reason === "empty" && files.parts.length > 0) ? { ok: true } : text;
  const ready = check.ok && !files.uploading;
  const notice = lengthNotice(value);

  // The saved draft, after hydration (the server renders an empty box). When
  // the new chat gets its id, what is typed meanwhile moves to its draft.
  const current = useRef(value);
  current.current = value;
  useEffect(() => {
    const draft = readDraft(draftId);
    if (current.current !== "") writeDraft(draftId, current.current);
    else if (draft) setValue(draft);
  }, [draftId]);

  const change = (text: string) => {
    setValue(text);
    writeDraft(draftId, text);
  };

  useAutosize(box, value, MAX_HEIGHT_PX);

  // Focus on arrival, when a reply starts (Send became Stop under the
  // pointer) and when it ends (the reverse): with a real keyboard likely (no
  // pop-up keyboard on phones) or when the user sent from here, maybe from the
  // composer this one replaced. Not if they have moved on to something else
  // meanwhile (a copy button, the search box). The Stop button just pressed
  // counts as nowhere: the reply can end a render before the button goes, or
  // after it (the browser moves focus off a removed element only at its next
  // frame, which on a busy machine comes after this effect).
  const showsStop = !!onStop;
  const stopButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const active = document.activeElement;
    if (active && active !== document.body && active !== stopButton.current && active.isConnected) return;
    if (typingHere || window.matchMedia("(min-width: 768px)").matches) box.current?.focus({ preventScroll: true });
  }, [replying, showsStop]);

  // While Claude replies the text goes to the queue (files wait in the box: a queued message carries none).
  const queueing = replying && !!onQueue;
  // Not held by a queueing still on its way: each Enter queues (useQueue sends them in order).
  const canQueue = queueing && text.ok && files.parts.length === 0;

  const queue = async (content: string) => {
    change("");
    if (!(await onQueue!(content))) change(current.current === "" ? content : `${content}\n${current.current}`);
  };

  const submit = async () => {
    const content = value;
    if (queueing) {
      if (canQueue) await queue(content);
      return;
    }
    if (blocked || !ready) return;
    const chips = files.chips;
    const parts = files.parts;
    typingHere = document.activeElement === box.current;
    const sentFrom = draftId;
    setSending(true);
    change("");
    files.clear();
    try {
      const ok = await onSend(content, parts);
      if (!ok) {
        // Back in the box, before anything typed since.
        const back = current.current === "" ? content : `${content}\n${current.current}`;
        setValue(back);
        writeDraft(sentFrom, back);
        files.restore(chips);
      }
    } finally {
      setSending(false);
    }
  };

  return (
    <form
      className="mx-auto w-full max-w-3xl px-3 pb-3 sm:px-4 sm:pb-4"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes("Files")) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={(e) => {
        setDragging(false);
        if (!e.dataTransfer.files.length) return;
        e.preventDefault();
        void files.add(Array.from(e.dataTransfer.files));
      }}
    >
      <ComposerNotices error={error} onDismissError={onDismissError} notice={files.notice} onDismissNotice={files.dismissNotice} />
      <div
        data-testid="composer-box"
        data-dragging={dragging || undefined}
        className={`rounded-2xl border bg-white p-2 shadow-sm focus-within:border-clay-500 dark:bg-zinc-900 ${dragging ? "border-dashed border-clay-500 bg-clay-50 dark:bg-zinc-800" : "border-zinc-300 dark:border-zinc-700"}`}
      >
        <AttachmentChips
          testId="composer-attachments"
          className="mb-2"
          items={files.chips.map((c) => ({ key: c.key, name: c.name, size: c.size, kind: c.kind, thumb: c.preview, pending: !c.uploaded }))}
          onRemove={files.remove}
        />
        <div className="flex items-end gap-2">
          <input
            ref={picker}
            type="file"
            multiple
            hidden
            data-testid="attach-input"
            accept="image/png,image/jpeg,image/gif,image/webp,application/pdf,text/*,.md,.ts,.tsx,.js,.jsx,.py,.go,.rs,.java,.c,.h,.cpp,.json,.yaml,.yml,.toml,.csv,.sql,.sh"
            onChange={(e) => {
              const picked = Array.from(e.target.files ?? []);
              e.target.value = "";
              void files.add(picked);
            }}
          />
          <button
            type="button"
            data-testid="attach-button"
            onClick={() => picker.current?.click()}
            aria-label="Attach files"
            title="Attach images, PDFs or text files (or drop or paste them)"
            className="inline-flex h-10 w-10 shrink-0 items-center justify-center rounded-xl text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800 disabled:cursor-not-allowed disabled:opacity-50 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
          >
            <svg viewBox="0 0 20 20" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth="1.6" aria-hidden>
              <path d="M14.5 9.5l-5.3 5.3a3.2 3.2 0 01-4.5-4.5l6-6a2.1 2.1 0 013 3l-6 6a1 1 0 01-1.5-1.5l5.3-5.3" strokeLinecap="round" strokeLinejoin="round" />
            </svg>
          </button>
          <label htmlFor="composer" className="sr-only">
            Message Claude
          </label>
          <textarea
            id="composer"
            ref={box}
            data-testid="composer-input"
            rows={1}
            value={value}
            placeholder="Message Claude…"
            aria-invalid={notice?.over || undefined}
            aria-describedby={notice ? "composer-length" : undefined}
            onChange={(e) => change(e.target.value)}
            onPaste={(e) => {
              const pasted = Array.from(e.clipboardData.files);
              if (!pasted.length) return;
              if (!e.clipboardData.types.includes("text/plain")) e.preventDefault();
              void files.add(pasted);
            }}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
                e.preventDefault();
                void submit();
              }
            }}
            className="max-h-60 min-h-10 flex-1 resize-none bg-transparent px-2 py-2 leading-6 outline-none placeholder:text-zinc-400 focus-visible:outline-none dark:placeholder:text-zinc-500"
          />
          {queueing && (
            <button
              type="submit"
              data-testid="queue-button"
              disabled={!canQueue}
              title={files.parts.length ? "Files can't be queued: send them when Claude has finished" : "Send when Claude has finished (Enter)"}
              className="inline-flex h-10 shrink-0 items-center rounded-xl border border-zinc-300 px-3 text-sm font-medium text-zinc-700 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-clay-600 disabled:cursor-not-allowed disabled:opacity-50 dark:border-zinc-700 dark:text-zinc-200 dark:hover:bg-zinc-800"
            >
              Queue
            </button>
          )}
          {onStop ? (
            // In Send's place while a reply generates. Keyed apart from Send, so
            // that a Stop pressed and focused is removed, not turned into Send.
            <button
              key="stop"
              ref={stopButton}
              type="button"
              data-testid="stop-button"
              onClick={onStop}
              disabled={stopping}
              title="Stop generating (Esc)"
              className="inline-flex h-10 shrink-0 items-center gap-2 rounded-xl bg-zinc-800 px-4 text-sm font-medium text-white hover:bg-zinc-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-clay-600 disabled:cursor-wait disabled:opacity-70 dark:bg-zinc-200 dark:text-zinc-900 dark:hover:bg-zinc-300"
            >
              <span className="h-2.5 w-2.5 rounded-[2px] bg-current" aria-hidden />
              {stopping ? "Stopping…" : "Stop"}
            </button>
          ) : (
            <button
              key="send"
              type="submit"
              data-testid="send-button"
              disabled={blocked || !ready}
              className="inline-flex h-10 shrink-0 items-center gap-1.5 rounded-xl bg-clay-600 px-4 text-sm font-medium text-white hover:bg-clay-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-clay-600 disabled:cursor-not-allowed disabled:bg-zinc-300 disabled:text-zinc-500 dark:disabled:bg-zinc-800 dark:disabled:text-zinc-500"
            >
              Send
              <svg viewBox="0 0 20 20" className="h-4 w-4" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden>
                <path d="M4 10h11M11 5l5 5-5 5" strokeLinecap="round" strokeLinejoin="round" />
              </svg>
            </button>
          )}
        </div>
      </div>
      {notice ? (
        <p
          id="composer-length"
          data-testid="composer-length"
          className={`mt-1.5 text-center text-xs ${notice.over ? "text-red-600 dark:text-red-400" : "text-zinc-500"}`}
        >
          {notice.text}
        </p>
      ) : (
        <p data-testid="composer-hint" className="mt-1.5 hidden text-center text-xs text-zinc-600 sm:block dark:text-zinc-400">
          {queueing
            ? "Claude is replying · Enter queues your message · Esc to stop"
            : replying
              ? "Claude is replying · Esc to stop · what you type is kept"
              : "Enter to send · Shift+Enter for a new line"}
        </p>
      )}
    </form>
  );
}
