"use client";
// A modal confirmation (the native <dialog>: focus moves into it, the page
// behind is inert, Escape cancels). Its title says what will happen; the
// confirm button is disabled until `canConfirm` (a typed confirmation).
import type { FormEvent, ReactNode } from "react";
import { useModalDialog } from "./useModalDialog";

export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  busyLabel,
  busy,
  canConfirm = true,
  error,
  testId,
  onConfirm,
  onClose,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busyLabel: string;
  busy: boolean;
  canConfirm?: boolean;
  error?: string | null;
  testId: string;
  onConfirm(): void;
  onClose(): void;
}) {
  const ref = useModalDialog(open);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (canConfirm && !busy) onConfirm();
  };

  return (
    <dialog
      ref={ref}
      data-testid={testId}
      aria-labelledby={`${testId}-title`}
      onCancel={(e) => {
        e.preventDefault(); // Escape: closed through the parent's state, never while busy
        if (!busy) onClose();
      }}
      className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-xl border border-zinc-200 bg-white p-0 text-zinc-900 shadow-xl backdrop:bg-black/50 dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-100"
    >
      <form onSubmit={submit} className="p-5">
        <h2 id={`${testId}-title`} className="text-lg font-semibold">
          {title}
        </h2>
        <div className="mt-2 space-y-3 text-sm text-zinc-600 dark:text-zinc-300">{children}</div>
        {error && (
          <p role="alert" className="mt-3 text-sm text-red-700 dark:text-red-400">
            {error}
          </p>
        )}
        <div className="mt-5 flex justify-end gap-2">
          <button
            type="button"
            onClick={onClose}
            disabled={busy}
            data-testid={`${testId}-cancel`}
            className="rounded-lg border border-zinc-300 bg-white px-3 py-1.5 text-sm font-medium text-zinc-700 hover:bg-zinc-50 disabled:opacity-50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-200 dark:hover:bg-zinc-800"
          >
            Cancel
          </button>
          <button
            type="submit"
            disabled={!canConfirm || busy}
            data-testid={`${testId}-confirm`}
            className="rounded-lg bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800 disabled:cursor-not-allowed disabled:opacity-50"
          >
            {busy ? busyLabel : confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
