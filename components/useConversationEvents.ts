"use client";
// A conversation page kept current by the tab's event stream: a message or
// reply started from another tab (or device) re-renders the server view,
// whose generating reply the page then follows live (Conversation.tsx, as on
// a reload); a reset re-renders it too, and a chat deleted elsewhere leaves
// for "/". Returns the id of a reply generating in this conversation that
// this tab does not follow yet, so the composer can offer Stop meanwhile.
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { liveReplyFor } from "@/lib/client/reply-registry";
import { tabEvents } from "@/lib/client/user-events";
import { useTabEventListener, useTabEvents } from "./useTabEvents";

export function useConversationEvents(conversationId: string | null): string | undefined {
  const router = useRouter();
  const { generating } = useTabEvents();

  // Open here: read.
  useEffect(() => {
    if (conversationId) tabEvents().markRead(conversationId);
  }, [conversationId]);

  useTabEventListener((e) => {
    // A refresh that cannot reach the server becomes a full page load in Next.js.
    const refresh = () => navigator.onLine && router.refresh();
    if (e.event === "snapshot" || e.event === "reset") {
      if (e.missed && conversationId) refresh();
      return;
    }
    if (!conversationId || !("conversationId" in e.data) || e.data.conversationId !== conversationId) return;
    if (e.event === "conversation.deleted") return router.replace("/");
    // This tab's own reply is already shown (the reply registry has it).
    const mine = liveReplyFor(conversationId);
    if ((e.event === "message.created" || e.event === "reply.started" || e.event === "reply.ended") && (!mine || mine.getState().finished)) refresh();
  });

  const running = conversationId ? generating.get(conversationId) : undefined;
  return running && !liveReplyFor(conversationId) ? running : undefined;
}
