"use client";
// Inline editor of a sent message: the text in a growing box, Save & send
// (or Enter), Cancel (or Esc). Same content rule as the composer.
import { useLayoutEffect, useRef, useState } from "react";
import { useAutosize } from "./useAutosize";
import { checkContent, lengthNotice } from "@/lib/client/content";

type Props = {
  initial: string;
  /** A reply is generating: the edit can be written, not sent yet. */
  locked?: boolean;
  onCancel: () => void;
  onSend: (content: string) => void;
};

const MAX_HEIGHT_PX = 320;

export function MessageEditor({ initial, locked = false, onCancel, onSend }: Props) {
  const [value, setValue] = useState(initial);
  const box = useRef<HTMLTextAreaElement>(null);
  const check = checkContent(value);
  const notice = lengthNotice(value);

  useAutosize(box, value, MAX_HEIGHT_PX);

  // Focus with the caret at the end, where edits usually start.
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    el.focus({ preventScroll: true });
    el.setSelectionRange(el.value.length, el.value.length);
    el.scrollIntoView({ block: "nearest" });
  }, []);

  const submit = () => {
    if (check.ok && !locked) onSend(value);
  };

  return (
    <form
      data-testid="message-editor"
      aria-label="Edit message"
      className="w-full rounded-2xl border border-zinc-300 bg-white p-2 shadow-sm focus-within:border-clay-500 dark:border-zinc-700 dark:bg-zinc-900"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label htmlFor="message-editor-input" className="sr-only">
        Edit your message
      </label>
      <textarea
        id="message-editor-input"
        ref={box}
        data-testid="edit-input"
        rows={1}
        value={value}
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            submit();
          } else if (e.key === "Escape" && !e.nativeEvent.isComposing) {
            // Handled here: Esc must not also stop a reply or close anything else.
            e.preventDefault();
            e.stopPropagation();
            onCancel();
          }
        }}
        className="block max-h-80 min-h-10 w-full resize-none bg-transparent px-2 py-1.5 leading-7 outline-none focus-visible:outline-none"
      />
      <div className="flex flex-wrap items-center justify-end gap-2 px-1 pt-1">
        {notice ? (
          <span
            data-testid="edit-length"
            role={notice.over ? "alert" : undefined}
            className={`mr-auto text-xs ${notice.over ? "text-red-600 dark:text-red-400" : "text-zinc-600 dark:text-zinc-400"}`}
          >
            {notice.text}
          </span>
        ) : (
          <span className="mr-auto hidden text-xs text-zinc-600 sm:inline dark:text-zinc-400">Enter to send · Esc to cancel</span>
        )}
        <button
          type="button"
          data-testid="edit-cancel"
          onClick={onCancel}
          className="h-8 rounded-lg px-3 text-sm font-medium text-zinc-700 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800"
        >
          Cancel
        </button>
        <button
          type="submit"
          data-testid="edit-send"
          disabled={!check.ok || locked}
          title={locked ? "Wait for the reply to finish" : undefined}
          className="h-8 rounded-lg bg-clay-600 px-3 text-sm font-medium text-white hover:bg-clay-700 disabled:cursor-not-allowed disabled:bg-zinc-300 disabled:text-zinc-500 dark:disabled:bg-zinc-800 dark:disabled:text-zinc-500"
        >
          Save &amp; send
        </button>
      </div>
    </form>
  );
}
