"use client";
// An assistant message in the conversation list, saved or being followed
// live. One component type for both, at one key (the message id), so when
// the saved copy takes over from the live reply React keeps every rendered
// block: the hand-over costs nothing, however long the reply. A live item
// subscribes to its reply on its own, so a frame re-renders it and nothing else.
import { memo, useSyncExternalStore } from "react";
import type { Message } from "@/lib/types";
import type { LiveReply, LiveReplyState, ReplyDelivery } from "@/lib/client/live-replies";
import { NO_EXTRAS } from "@/lib/client/live-reply";
import { AssistantMessage } from "./AssistantMessage";

type Props = {
  /** The saved message (ignored while `reply` is set). */
  message?: Message;
  reply?: LiveReply;
  state?: LiveReplyState;
  delivery: ReplyDelivery;
  onContinue?: (message: Message) => void;
};

const noSubscription = () => () => {};
const noExtras = () => NO_EXTRAS;

export const AssistantItem = memo(function AssistantItem({ message: saved, reply, state, delivery, onContinue }: Props) {
  const getSaved = () => saved!;
  const message = useSyncExternalStore(reply?.subscribeFrame ?? noSubscription, reply?.getMessage ?? getSaved, reply?.getMessage ?? getSaved);
  const extras = useSyncExternalStore(reply?.subscribeFrame ?? noSubscription, reply?.getExtras ?? noExtras, reply?.getExtras ?? noExtras);
  return (
    <AssistantMessage
      message={message}
      delivery={reply?.delivery ?? delivery}
      connection={state?.connection}
      stopping={state?.stopping}
      onContinue={reply ? undefined : onContinue}
      extras={extras}
    />
  );
});
