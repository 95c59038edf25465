"use client";
// Whether to write shortcuts the Apple way (⌘K). The server cannot know: it
// renders "Ctrl", and the browser switches after hydration without a mismatch.
import { useSyncExternalStore } from "react";
import { isApplePlatform } from "@/lib/client/shortcuts";

const never = () => () => {};

export function useAppleKeys(): boolean {
  return useSyncExternalStore(
    never,
    () => isApplePlatform(navigator),
    () => false,
  );
}
