"use client";
// Beside the model picker: with the built-in demo model (no ANTHROPIC_API_KEY,
// docs/API.md "GET /api/models"), a badge saying its replies are canned, which
// opens a short note on how to talk to Claude instead. With Claude, nothing:
// the picker names the model.
import { useEffect, useId, useRef, useState } from "react";
import { useModelCatalog } from "./useModelCatalog";

export function ModelBadge() {
  const catalog = useModelCatalog();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);

  // Closes on Escape and on a click elsewhere, like any popover.
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      e.stopPropagation(); // not the Esc that stops a reply
      setOpen(false);
      root.current?.querySelector("button")?.focus();
    };
    const onPointer = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener("keydown", onKey, true);
    window.addEventListener("pointerdown", onPointer);
    return () => {
      window.removeEventListener("keydown", onKey, true);
      window.removeEventListener("pointerdown", onPointer);
    };
  }, [open]);

  if (catalog?.provider !== "demo") return null;
  return (
    <div ref={root} className="relative ml-auto" data-testid="demo-badge">
      <button
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        title="Replies come from the built-in demo model, not Claude"
        onClick={() => setOpen((o) => !o)}
        className="inline-flex items-center gap-1 rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-900 hover:bg-amber-200 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-orange-600 dark:bg-amber-950 dark:text-amber-200 dark:hover:bg-amber-900"
      >
        Demo model — canned replies
        <svg viewBox="0 0 20 20" className="h-3.5 w-3.5" fill="none" stroke="currentColor" strokeWidth="1.8" aria-hidden>
          <circle cx="10" cy="10" r="7.25" />
          <path d="M10 9v4.5M10 6.25v.5" strokeLinecap="round" />
        </svg>
      </button>
      {open && (
        <div
          id={panelId}
          role="note"
          data-testid="demo-badge-help"
          className="absolute right-0 bottom-full z-20 mb-2 w-[min(22rem,calc(100vw-2rem))] rounded-xl border border-zinc-200 bg-white p-3 text-left text-sm leading-6 text-zinc-700 shadow-lg dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-300"
        >
          <p>
            No Claude API key is set, so replies come from Tether&apos;s built-in <strong>demo model</strong>: canned sample texts that show what the app does (thinking,
            tools, code), not answers to your questions.
          </p>
          <p className="mt-2">
            To talk to Claude, set <code className="rounded bg-zinc-100 px-1 py-0.5 text-xs dark:bg-zinc-800">ANTHROPIC_API_KEY</code> to your Anthropic API key in the
            server&apos;s environment and restart the server.
          </p>
        </div>
      )}
    </div>
  );
}
