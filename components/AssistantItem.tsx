"use client";
// An assistant message in the conversation list, saved or being followed
// live. One component type for both, at one key (the message id), so when
// the saved copy takes over from the live reply React keeps every rendered
// block: the hand-over costs nothing, however long the reply. A live item
// subscribes to its reply on its own, so a frame re-renders it and nothing else.
import { memo, useSyncExternalStore } from "react";
import type { Message, MessageVersions } from "@/lib/chat/types";
import { NO_EXTRAS, type LiveReply, type LiveReplyState } from "@/lib/client/live-reply";
import { AssistantMessage } from "./AssistantMessage";
import { MessageActions } from "./MessageActions";
import { VersionPager } from "./VersionPager";

/** What a saved reply's action bar needs (one object shared by all replies). */
export type ReplyActions = {
  locked: boolean;
  onSelect: (id: string) => void;
  onRegenerate: (message: Message) => void;
};

type Props = {
  /** The saved message (ignored while `reply` is set). */
  message?: Message;
  reply?: LiveReply;
  state?: LiveReplyState;
  /** The user's setting (a live reply keeps the one it was asked with). */
  streaming: boolean;
  onContinue?: (message: Message) => void;
  /** A saved reply's action bar. */
  actions?: ReplyActions;
  /** The latest reply: Regenerate offered, the bar always shown. */
  latest?: boolean;
  /** A live reply's versions until the server's arrive (a regenerated reply: "2/2" at once). */
  versionsHint?: MessageVersions;
};

const noSubscription = () => () => {};
const noExtras = () => NO_EXTRAS;

export const AssistantItem = memo(function AssistantItem({ message: saved, reply, state, streaming, onContinue, actions, latest, versionsHint }: Props) {
  const getSaved = () => saved!;
  const message = useSyncExternalStore(reply?.subscribeFrame ?? noSubscription, reply?.getMessage ?? getSaved, reply?.getMessage ?? getSaved);
  const extras = useSyncExternalStore(reply?.subscribeFrame ?? noSubscription, reply?.getExtras ?? noExtras, reply?.getExtras ?? noExtras);
  // Live: only the pager, inert (the path cannot change while it generates);
  // the full bar comes with the saved copy.
  const liveVersions = reply ? (message.versions ?? versionsHint) : undefined;
  const footer =
    !reply && actions ? (
      <MessageActions message={message} locked={actions.locked} onSelect={actions.onSelect} onRegenerate={latest ? actions.onRegenerate : undefined} pinned={latest} />
    ) : liveVersions && liveVersions.count > 1 ? (
      <div className="-ml-1.5 flex">
        <VersionPager versions={liveVersions} disabled kind="reply" />
      </div>
    ) : undefined;
  return (
    <AssistantMessage
      message={message}
      streaming={reply?.streaming ?? streaming}
      connection={state?.connection}
      stopping={state?.stopping}
      onContinue={reply ? undefined : onContinue}
      extras={extras}
      footer={footer}
    />
  );
});
