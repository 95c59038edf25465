"use client";
// Hands a conversation's reply between the server view (saved messages) and
// the live stream (the reply registry). A reply the saved view shows as
// generating, which this tab does not follow, is attached to at its saved
// event id (a reload, a reply started elsewhere or resumed by the server).
// A finished live reply is released once the saved copy has caught up with
// it, or once the server has run it again since (auto-resume after a restart,
// docs/PROTOCOL.md §5.5, or Continue in another tab), so that run is followed.
import { useEffect } from "react";
import { attachReply, liveReplyFor, releaseReply } from "@/lib/client/reply-registry";
import type { LiveReply, LiveReplyState } from "@/lib/client/live-reply";
import type { Message } from "@/lib/chat/types";
import { isGenerating } from "@/lib/reply/status";

type Options = { messages: Message[]; reply?: LiveReply; state?: LiveReplyState; resumeAfter?: number; streaming: boolean };

/** Returns the saved generating reply this tab does not follow yet (it is being attached to). */
export function useSavedReplyHandover({ messages, reply, state, resumeAfter, streaming }: Options): Message | undefined {
  const last = messages.at(-1);
  const unattached = !reply && last?.role === "assistant" && isGenerating(last.status) ? last : undefined;
  useEffect(() => {
    if (unattached && !liveReplyFor(unattached.conversationId)) {
      attachReply({ message: unattached, after: resumeAfter, streaming, baseCount: messages.length - 1 });
    }
  }, [unattached, resumeAfter, streaming, messages.length]);

  useEffect(() => {
    if (!reply || !state?.finished) return;
    const saved = messages.find((m) => m.id === state.messageId);
    const mine = reply.getMessage();
    // Same id is not enough: a continued reply's saved copy is its older self.
    const caughtUp = saved && !isGenerating(saved.status) && saved.status === mine.status && saved.content === mine.content;
    const runAgain = saved && isGenerating(saved.status) && Date.parse(saved.updatedAt) > Date.parse(mine.updatedAt);
    if (caughtUp || runAgain) releaseReply(reply);
  }, [reply, state, messages]);
  return unattached;
}
