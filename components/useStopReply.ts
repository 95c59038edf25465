"use client";
// What Stop does in a conversation, and Esc as its shortcut: stop the reply
// this tab follows, or one generating that it does not follow yet (saved in
// the view, or started elsewhere). Fields, menus, dialogs and the search box
// handle their own Esc first.
import { useEffect, useMemo } from "react";
import type { LiveReply } from "@/lib/client/live-reply";
import { shortcutOf } from "@/lib/client/shortcuts";

export function useStopReply(o: {
  generating: boolean;
  reply?: LiveReply;
  /** A generating reply of the saved view not followed yet. */
  unattached?: string;
  /** A reply generating from another tab or device. */
  elsewhere?: string;
  onStopSaved: (messageId: string) => void;
}): (() => void) | undefined {
  const { generating, reply, unattached, elsewhere, onStopSaved } = o;
  const stop = useMemo(() => {
    if (!generating) return undefined;
    if (reply) return () => void reply.stop();
    const id = unattached ?? elsewhere;
    return id ? () => void onStopSaved(id) : undefined;
  }, [generating, reply, unattached, elsewhere, onStopSaved]);

  useEffect(() => {
    if (!stop) return;
    const onKey = (e: KeyboardEvent) => {
      if (shortcutOf(e) !== "stop-reply" || (e.target as Element | null)?.closest?.("#sidebar, [role=dialog], [role=menu]")) return;
      e.preventDefault();
      stop();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [stop]);
  return stop;
}
