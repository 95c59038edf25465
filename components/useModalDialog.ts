"use client";
// A native <dialog> shown as a modal while `open` (focus moves into it, the
// page behind is inert) and closed when not: the parent's state decides, so
// Escape (the dialog's cancel) goes through the parent's onClose.
import { useEffect, useRef, type RefObject } from "react";

export function useModalDialog(open: boolean): RefObject<HTMLDialogElement | null> {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return ref;
}
