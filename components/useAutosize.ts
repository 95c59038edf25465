"use client";
// A textarea that grows with its text up to a height, then scrolls.
import { useLayoutEffect, type RefObject } from "react";

export function useAutosize(box: RefObject<HTMLTextAreaElement | null>, value: string, maxHeightPx: number) {
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, maxHeightPx)}px`;
    el.style.overflowY = el.scrollHeight > maxHeightPx ? "auto" : "hidden";
  }, [box, value, maxHeightPx]);
}
