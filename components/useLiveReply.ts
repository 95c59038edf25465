"use client";
// React binding of the reply registry, at the conversation's coarse
// granularity: it re-renders only when a reply is confirmed, finishes or its
// connection changes. The streaming message subscribes to frames on its own
// (StreamingMessage), once per animation frame.
import { useSyncExternalStore } from "react";
import type { LiveReply, LiveReplyState } from "@/lib/client/live-reply";
import { liveReplyFor, subscribeLiveReplies } from "@/lib/client/reply-registry";

const none = () => undefined;
const noSubscription = () => () => {};

export function useLiveReply(conversationId: string | null): { reply?: LiveReply; state?: LiveReplyState } {
  const reply = useSyncExternalStore(subscribeLiveReplies, () => liveReplyFor(conversationId), none);
  const state = useSyncExternalStore(reply?.subscribeState ?? noSubscription, reply?.getState ?? none, none);
  return { reply, state };
}
