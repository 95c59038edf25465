"use client";
// The new chat's welcome: a heading above the composer and, below it,
// suggestions that show what a reply can hold (thinking, tools, code). A
// suggestion is sent as it is, like typing it and pressing Enter
// (lib/client/suggestions.ts).
import { useState } from "react";
import { SUGGESTIONS } from "@/lib/client/suggestions";

export function EmptyHeading() {
  return (
    <div className="pb-2 text-center">
      <h1 className="text-2xl font-semibold tracking-tight sm:text-3xl">How can I help you today?</h1>
    </div>
  );
}

/** The suggestions under the centred composer; `onPick` sends one (resolves false if it was not sent). */
export function StarterSuggestions({ onPick, disabled }: { onPick: (prompt: string) => Promise<boolean>; disabled?: boolean }) {
  // One at a time: the first send creates the conversation.
  const [sending, setSending] = useState(false);
  const pick = async (prompt: string) => {
    setSending(true);
    if (!(await onPick(prompt))) setSending(false);
  };
  return (
    <div className="mx-auto w-full max-w-3xl px-4 pt-3 max-sm:pt-0 max-sm:pb-1 sm:px-6">
      <ul aria-label="Suggestions" className="grid gap-2 sm:grid-cols-2">
        {SUGGESTIONS.map((s) => (
          <li key={s.id}>
            <button
              type="button"
              data-testid="suggestion"
              data-suggestion={s.id}
              disabled={disabled || sending}
              onClick={() => void pick(s.prompt)}
              className="flex h-full w-full flex-col items-start gap-0.5 rounded-xl border border-zinc-200 bg-white px-3.5 py-2.5 text-left text-sm transition-colors hover:border-zinc-300 hover:bg-zinc-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-orange-600 disabled:opacity-60 dark:border-zinc-800 dark:bg-zinc-900 dark:hover:border-zinc-700 dark:hover:bg-zinc-800/80"
            >
              <span className="font-medium text-zinc-900 dark:text-zinc-100">{s.title}</span>
              <span className="line-clamp-2 text-zinc-600 max-sm:line-clamp-1 dark:text-zinc-400">{s.prompt}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
