"use client";
// The one message that changes per token: subscribed to its live reply on
// its own, so a frame re-renders this component and nothing else.
import type { LiveReply, LiveReplyState } from "@/lib/client/live-replies";
import { useLiveMessage } from "./useLiveReply";
import { AssistantMessage } from "./AssistantMessage";

export function LiveAssistantMessage({ reply, state }: { reply: LiveReply; state: LiveReplyState }) {
  const message = useLiveMessage(reply);
  return (
    <AssistantMessage
      message={message}
      delivery={reply.delivery}
      connection={state.connection}
      stopping={state.stopping}
    />
  );
}
