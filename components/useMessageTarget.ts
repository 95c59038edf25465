"use client";
// Opening a search hit: /c/:id?m=<messageId> scrolls to that message and
// briefly highlights it. A hit on an older version or branch is not on the
// shown path: the conversation is switched to it first (select), once.
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useRef, type RefObject } from "react";
import type { Message } from "@/lib/chat/types";
import * as api from "@/lib/client/api";
import { refreshView } from "@/lib/client/connection";

export function useMessageTarget(scroller: RefObject<HTMLElement | null>, conversationId: string | null, messages: Message[]) {
  const router = useRouter();
  const target = useSearchParams().get("m");
  const switched = useRef<string | null>(null);

  useEffect(() => {
    if (!target || !conversationId) return;
    const done = () => {
      // Drop ?m= (without a server round trip), so the same hit can be opened again.
      const url = new URL(window.location.href);
      url.searchParams.delete("m");
      // null state: Next.js copies its own in and updates useSearchParams.
      window.history.replaceState(null, "", url.pathname + url.search + url.hash);
    };
    if (messages.some((m) => m.id === target)) {
      const el = scroller.current?.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(target)}"]`);
      if (el) {
        el.scrollIntoView({ block: "center" });
        flash(el);
      }
      return done();
    }
    if (switched.current === target) return done(); // switched already, and still not there
    switched.current = target;
    api.selectMessage(target).then(
      () => void refreshView(router),
      () => done(), // gone, or a reply is generating: stay where we are
    );
  }, [target, conversationId, messages, scroller, router]);
}

/** A short highlight (CSS animation on [data-flash]), removed when it ends. */
function flash(el: HTMLElement) {
  el.removeAttribute("data-flash");
  void el.offsetWidth; // restart the animation if it is running
  el.setAttribute("data-flash", "");
  el.addEventListener("animationend", () => el.removeAttribute("data-flash"), { once: true });
}
