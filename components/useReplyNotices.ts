"use client";
// Binds ReplyNotices (lib/client/reply-notices.ts) to this page: the
// document's visibility and title, the Notification API when Settings turned
// it on, and a click on a notification opening its chat.
import { useEffect, useRef } from "react";
import { useRouter } from "next/navigation";
import * as api from "@/lib/client/api";
import { NOTIFY_KEY, ReplyNotices } from "@/lib/client/reply-notices";
import { useTabEventListener } from "./useTabEvents";

/** Whether notifications are on in this browser (Settings) and allowed by it. */
export function notificationsOn(): boolean {
  try {
    return typeof Notification !== "undefined" && Notification.permission === "granted" && localStorage.getItem(NOTIFY_KEY) === "on";
  } catch {
    return false;
  }
}

export function useReplyNotices(): void {
  const router = useRouter();
  const notices = useRef<ReplyNotices | null>(null);
  notices.current ??= new ReplyNotices({
    hidden: () => document.visibilityState === "hidden",
    getTitle: () => document.title,
    setTitle: (t) => (document.title = t),
    mayNotify: notificationsOn,
    // Asked only when a notification is shown: the chat may be newer than this page.
    titleOf: async (id) => (await api.getConversation(id)).conversation.title,
    notify: (title, { body, tag, conversationId }) => {
      const n = new Notification(title, { body, tag, icon: "/icon.svg" });
      n.onclick = () => {
        window.focus();
        router.push(`/c/${encodeURIComponent(conversationId)}`);
        n.close();
      };
    },
  });
  useTabEventListener((e) => notices.current?.onEvent(e));
  useEffect(() => {
    const n = notices.current!;
    const onVisibility = () => document.visibilityState === "visible" && n.onVisible();
    document.addEventListener("visibilitychange", onVisibility);
    // A navigation sets the page's own title: the count goes back in front of it.
    const watch = new MutationObserver(() => n.showCount());
    watch.observe(document.head, { childList: true, subtree: true, characterData: true });
    return () => {
      document.removeEventListener("visibilitychange", onVisibility);
      watch.disconnect();
    };
  }, []);
}
