"use client";
// React bindings of the live-reply registry. Two granularities on purpose:
// the conversation re-renders only on coarse changes (confirmed, finished,
// connection), the streaming message once per animation frame.
import { useSyncExternalStore } from "react";
import { liveReplyFor, subscribeLiveReplies, type LiveReply, type LiveReplyState } from "@/lib/client/live-replies";
import type { Message } from "@/lib/types";

const none = () => undefined;
const noSubscription = () => () => {};

export function useLiveReply(conversationId: string | null): { reply?: LiveReply; state?: LiveReplyState } {
  const reply = useSyncExternalStore(subscribeLiveReplies, () => liveReplyFor(conversationId), none);
  const state = useSyncExternalStore(reply?.subscribeState ?? noSubscription, reply?.getState ?? none, none);
  return { reply, state };
}

export function useLiveMessage(reply: LiveReply): Message {
  return useSyncExternalStore(reply.subscribeFrame, reply.getMessage, reply.getMessage);
}
